import { Injectable, NotFoundException } from '@nestjs/common';
import { SiteNotFoundError, SiteRepository } from '@app/sites';
import { SiteSummaryResponse, SiteVersionResponse } from '@app/contracts';

/** What a request under `/sites/:siteId` is answered with. */
export type SiteFileAnswer =
  | { kind: 'redirect'; location: string }
  | { kind: 'file'; absolutePath: string; contentType: string; version: number };

const SITE_URL = /^\/sites\/([^/]+)(\/.*)?$/;

/** The published sites, read-only: listings for the API and the files of each current version. */
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

  /**
   * The file of the current version that a request path (`/sites/<siteId>/<file>`, still
   * URL-encoded) asks for. The path is decoded once, by the repository, which refuses anything
   * that would leave the version's directory. `/sites/<siteId>` redirects to the trailing slash
   * so that the pages' relative links resolve under the site.
   */
  async resolve(requestPath: string): Promise<SiteFileAnswer> {
    const [, siteId = '', filePath] = SITE_URL.exec(requestPath) ?? [];
    if (filePath === undefined) {
      await this.currentVersionOrThrow(siteId);
      return { kind: 'redirect', location: sitePath(siteId) };
    }
    const resolved = await this.repository.resolveFile(siteId, filePath.slice(1));
    if (resolved) return { kind: 'file', ...resolved };
    await this.currentVersionOrThrow(siteId);
    throw new NotFoundException(`site ${siteId} has no page or file "${filePath.slice(1)}"`);
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
