import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SiteNotFoundError, SiteRepository } from './site.repository';

describe('SiteRepository', () => {
  let sitesDir: string;
  let repository: SiteRepository;

  beforeEach(async () => {
    sitesDir = await mkdtemp(join(tmpdir(), 'site-repository-'));
    repository = new SiteRepository({ sitesDir });
  });

  afterEach(async () => {
    await rm(sitesDir, { recursive: true, force: true });
  });

  it('publishes immutable numbered versions and points current at the newest', async () => {
    const first = await repository.publish(
      'demo-1a2b3c',
      { 'index.html': 'one', 'images/a.svg': '<svg/>' },
      { note: 'first' },
    );
    const second = await repository.publish('demo-1a2b3c', { 'index.html': 'two' });

    expect([first.version, second.version]).toEqual([1, 2]);
    expect(first.metadata).toEqual({ note: 'first' });
    expect(await repository.listVersions('demo-1a2b3c')).toEqual([1, 2]);
    expect(await repository.currentVersion('demo-1a2b3c')).toBe(2);
    expect(await readFile(join(sitesDir, 'demo-1a2b3c', 'versions', '1', 'site', 'index.html'), 'utf8')).toBe(
      'one',
    );
    expect((await repository.readFiles('demo-1a2b3c', 1)).files).toEqual({
      'images/a.svg': '<svg/>',
      'index.html': 'one',
    });
    expect(await repository.listSites()).toEqual([
      {
        siteId: 'demo-1a2b3c',
        currentVersion: 2,
        versions: [1, 2],
        activatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it('rolls back by moving the pointer, keeping every version', async () => {
    await repository.publish('demo', { 'index.html': 'one' });
    await repository.publish('demo', { 'index.html': 'two' });

    await repository.activate('demo', 1);

    expect(await repository.currentVersion('demo')).toBe(1);
    const resolved = await repository.resolveFile('demo', '');
    expect(await readFile(resolved!.absolutePath, 'utf8')).toBe('one');
    await expect(repository.activate('demo', 7)).rejects.toThrow(
      new SiteNotFoundError('site demo has no version 7'),
    );
  });

  it('leaves the current version and no trace behind when writing a version fails', async () => {
    await repository.publish('demo', { 'index.html': 'one' });

    // "page" is written as a file, so "page/index.html" cannot be: the write fails half-way.
    await expect(
      repository.publish('demo', { 'index.html': 'two', page: 'x', 'page/index.html': 'y' }),
    ).rejects.toThrow();

    expect(await repository.currentVersion('demo')).toBe(1);
    expect(await repository.listVersions('demo')).toEqual([1]);
    expect(await readdir(join(sitesDir, 'demo', 'staging'))).toEqual([]);
    expect((await repository.readFiles('demo')).files).toEqual({ 'index.html': 'one' });
  });

  it('never leaves a temporary pointer file behind', async () => {
    await repository.publish('demo', { 'index.html': 'one' });
    await repository.publish('demo', { 'index.html': 'two' });
    expect((await readdir(join(sitesDir, 'demo'))).sort()).toEqual(['current.json', 'staging', 'versions']);
  });

  it('refuses file paths that would escape the version directory', async () => {
    await expect(repository.publish('demo', { '../evil.html': 'x' })).rejects.toThrow(
      'unsafe file path: ../evil.html',
    );
    await expect(repository.publish('demo', { '/etc/passwd': 'x' })).rejects.toThrow('unsafe file path');
    await expect(repository.publish('../demo', { 'index.html': 'x' })).rejects.toThrow(SiteNotFoundError);
  });

  describe('resolveFile', () => {
    beforeEach(async () => {
      await repository.publish('demo', {
        'index.html': 'home',
        'about.html': 'about',
        'styles.css': 'css',
        'blog/index.html': 'blog',
      });
    });

    it.each([
      ['', 'index.html', 'text/html; charset=utf-8'],
      ['/', 'index.html', 'text/html; charset=utf-8'],
      ['about.html', 'about.html', 'text/html; charset=utf-8'],
      ['about', 'about.html', 'text/html; charset=utf-8'],
      ['styles.css', 'styles.css', 'text/css; charset=utf-8'],
      ['blog/', 'blog/index.html', 'text/html; charset=utf-8'],
      ['blog', 'blog/index.html', 'text/html; charset=utf-8'],
      ['about.html?x=1#top', 'about.html', 'text/html; charset=utf-8'],
    ])('resolves "%s" to %s', async (urlPath, file, contentType) => {
      const resolved = await repository.resolveFile('demo', urlPath);
      expect(resolved).toEqual({
        absolutePath: join(sitesDir, 'demo', 'versions', '1', 'site', ...file.split('/')),
        contentType,
        version: 1,
      });
    });

    it.each([
      '../current.json',
      '..%2fcurrent.json',
      '%2e%2e/%2e%2e/etc/passwd',
      'blog/../../current.json',
      '.hidden',
      'a\\..\\b',
      'x%00.html',
      'missing.html',
      '%E0%A4%A',
    ])('resolves "%s" to nothing', async (urlPath) => {
      expect(await repository.resolveFile('demo', urlPath)).toBeNull();
    });

    it('resolves nothing for an unknown or malformed site id', async () => {
      expect(await repository.resolveFile('other', 'index.html')).toBeNull();
      expect(await repository.resolveFile('../demo', 'index.html')).toBeNull();
    });
  });
});
