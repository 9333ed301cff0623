import { Injectable, NotFoundException } from '@nestjs/common';
import { SiteNotFoundError, SiteRepository } from '@app/sites';
import { SiteSummaryResponse, SiteVersionResponse } from '@app/contracts';

/** What a request under `/sites/:siteId` is answered with. */
export type SiteFileAnswer =
  | { kind: 'redirect'; location: string }
  | { kind: 'file'; absolutePath: string; contentType: string; version: number };

/** `/sites/<siteId>[/versions/<n>][/<file>]`, still URL-encoded. */
const SITE_URL = /^\/sites\/([^/]+)(?:\/versions\/([1-9]\d{0,8})(?=\/|$))?(\/.*)?$/;

/**
 * The published sites: listings for the API, the files of each version (the current one at
 * `/sites/<siteId>/`, any one at `/sites/<siteId>/versions/<n>/` for a preview), and rollback.
 */
@Injectable()
export class SitesService {
  constructor(private readonly repository: SiteRepository) {}

  async list(): Promise<SiteSummaryResponse[]> {
    return (await this.repository.listSites()).map((site) => ({
      siteId: site.siteId,
      currentVersion: site.currentVersion,
      versionCount: site.versions.length,
      updatedAt: site.activatedAt,
      path: sitePath(site.siteId),
    }));
  }

  async versions(siteId: string): Promise<SiteVersionResponse[]> {
    const current = await this.currentVersionOrThrow(siteId);
    const versions: SiteVersionResponse[] = [];
    for (const version of await this.repository.listVersions(siteId)) {
      const published = await this.repository.readVersion(siteId, version);
      const { workflowId, workflowType, change } = published.metadata;
      versions.push({
        version,
        isCurrent: version === current,
        publishedAt: published.publishedAt,
        fileCount: published.files.length,
        totalBytes: published.files.reduce((total, file) => total + file.bytes, 0),
        workflowId: typeof workflowId === 'string' ? workflowId : null,
        workflowType: typeof workflowType === 'string' ? workflowType : null,
        change: typeof change === 'string' ? change : null,
      });
    }
    return versions;
  }

  /** Points the site at one of its versions: what `/sites/<siteId>/` serves changes at once. */
  async rollback(siteId: string, version: number): Promise<SiteVersionResponse[]> {
    await this.currentVersionOrThrow(siteId);
    await this.repository.activate(siteId, version).catch((error: unknown) => {
      throw error instanceof SiteNotFoundError ? new NotFoundException(error.message) : error;
    });
    return this.versions(siteId);
  }

  /**
   * The file a request path (`/sites/<siteId>[/versions/<n>]/<file>`, still URL-encoded) asks
   * for: of the current version, or of version n. The path is decoded once, by the repository,
   * which refuses anything that would leave the version's directory. A site or version path
   * without its trailing slash redirects to it so that the pages' relative links resolve.
   */
  async resolve(requestPath: string): Promise<SiteFileAnswer> {
    const [, siteId = '', versionText, filePath] = SITE_URL.exec(requestPath) ?? [];
    const version = versionText === undefined ? undefined : Number(versionText);
    const root = version === undefined ? sitePath(siteId) : `${sitePath(siteId)}versions/${version}/`;
    if (filePath === undefined) {
      await this.versionOrThrow(siteId, version);
      return { kind: 'redirect', location: root };
    }
    const resolved = await this.repository.resolveFile(siteId, filePath.slice(1), version);
    if (resolved) return { kind: 'file', ...resolved };
    await this.versionOrThrow(siteId, version);
    throw new NotFoundException(`site ${siteId} has no page or file "${filePath.slice(1)}"`);
  }

  private async versionOrThrow(siteId: string, version: number | undefined): Promise<void> {
    await this.currentVersionOrThrow(siteId);
    if (version !== undefined && !(await this.repository.listVersions(siteId)).includes(version)) {
      throw new NotFoundException(`site ${siteId} has no version ${version}`);
    }
  }

  private async currentVersionOrThrow(siteId: string): Promise<number> {
    const current = await this.repository.currentVersion(siteId).catch((error: unknown) => {
      if (error instanceof SiteNotFoundError) return null;
      throw error;
    });
    if (current === null) throw new NotFoundException(`site ${siteId} is not published`);
    return current;
  }
}

function sitePath(siteId: string): string {
  return `/sites/${siteId}/`;
}
