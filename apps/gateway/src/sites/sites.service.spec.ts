import { NotFoundException } from '@nestjs/common';
import { SiteRepository } from '@app/sites';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SitesService } from './sites.service';

describe('SitesService', () => {
  let sitesDir: string;
  let repository: SiteRepository;
  let service: SitesService;

  beforeEach(async () => {
    sitesDir = await mkdtemp(join(tmpdir(), 'sites-service-'));
    repository = new SiteRepository({ sitesDir });
    service = new SitesService(repository);
    await repository.publish(
      'tea-abc123',
      { 'index.html': 'one', 'styles.css': 'css' },
      { workflowId: 'w1' },
    );
    await repository.publish(
      'tea-abc123',
      { 'index.html': 'two', 'blog.html': 'blog', 'styles.css': 'css' },
      { workflowId: 'w2', workflowType: 'UPDATE_SITE', change: 'Added a Blog page' },
    );
  });

  afterEach(async () => {
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('resolves the home page and a page of the current version', async () => {
    expect(await service.resolve('/sites/tea-abc123/')).toEqual({
      kind: 'file',
      absolutePath: join(sitesDir, 'tea-abc123', 'versions', '2', 'site', 'index.html'),
      contentType: 'text/html; charset=utf-8',
      version: 2,
    });
    expect(await service.resolve('/sites/tea-abc123/blog')).toMatchObject({
      kind: 'file',
      absolutePath: join(sitesDir, 'tea-abc123', 'versions', '2', 'site', 'blog.html'),
    });
  });

  it('serves any version under /versions/<n>/ for a preview, the current one staying at the root', async () => {
    expect(await service.resolve('/sites/tea-abc123/versions/1/')).toEqual({
      kind: 'file',
      absolutePath: join(sitesDir, 'tea-abc123', 'versions', '1', 'site', 'index.html'),
      contentType: 'text/html; charset=utf-8',
      version: 1,
    });
    expect(await service.resolve('/sites/tea-abc123/versions/1')).toEqual({
      kind: 'redirect',
      location: '/sites/tea-abc123/versions/1/',
    });
    expect(await service.resolve('/sites/tea-abc123/')).toMatchObject({ version: 2 });
  });

  it('rolls back to an existing version and answers the versions; an unknown one is 404', async () => {
    const versions = await service.rollback('tea-abc123', 1);
    expect(versions.map(({ version, isCurrent }) => ({ version, isCurrent }))).toEqual([
      { version: 1, isCurrent: true },
      { version: 2, isCurrent: false },
    ]);
    expect(await service.resolve('/sites/tea-abc123/')).toMatchObject({ version: 1 });
    await expect(service.rollback('tea-abc123', 7)).rejects.toThrow(
      new NotFoundException('site tea-abc123 has no version 7'),
    );
    await expect(service.rollback('nope-000000', 1)).rejects.toThrow(
      new NotFoundException('site nope-000000 is not published'),
    );
  });

  it('redirects a site URL without its trailing slash, so relative links stay inside the site', async () => {
    expect(await service.resolve('/sites/tea-abc123')).toEqual({
      kind: 'redirect',
      location: '/sites/tea-abc123/',
    });
  });

  it.each([
    ['/sites/nope-000000/', 'site nope-000000 is not published'],
    ['/sites/nope-000000', 'site nope-000000 is not published'],
    ['/sites/..%2ftea-abc123/index.html', 'site ..%2ftea-abc123 is not published'],
    ['/sites/tea-abc123/missing.html', 'site tea-abc123 has no page or file "missing.html"'],
    ['/sites/tea-abc123/../current.json', 'site tea-abc123 has no page or file "../current.json"'],
    [
      '/sites/tea-abc123/%2e%2e%2fcurrent.json',
      'site tea-abc123 has no page or file "%2e%2e%2fcurrent.json"',
    ],
    ['/sites/tea-abc123/versions/1/version.json', 'site tea-abc123 has no page or file "version.json"'],
    ['/sites/tea-abc123/versions/3/', 'site tea-abc123 has no version 3'],
    ['/sites/tea-abc123/versions/1/blog.html', 'site tea-abc123 has no page or file "blog.html"'],
  ])('answers %s with 404: %s', async (path, message) => {
    await expect(service.resolve(path)).rejects.toThrow(new NotFoundException(message));
  });

  it('lists sites with their current version, version count and last switch', async () => {
    expect(await service.list()).toEqual([
      {
        siteId: 'tea-abc123',
        currentVersion: 2,
        versionCount: 2,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        path: '/sites/tea-abc123/',
      },
    ]);
  });

  it('lists versions oldest first, marking the current one and what each changed', async () => {
    await repository.activate('tea-abc123', 1);
    expect(await service.versions('tea-abc123')).toEqual([
      expect.objectContaining({ version: 1, isCurrent: true, fileCount: 2, totalBytes: 6, change: null }),
      expect.objectContaining({
        version: 2,
        isCurrent: false,
        fileCount: 3,
        workflowId: 'w2',
        workflowType: 'UPDATE_SITE',
        change: 'Added a Blog page',
      }),
    ]);
    await expect(service.versions('../x')).rejects.toThrow(
      new NotFoundException('site ../x is not published'),
    );
  });
});
