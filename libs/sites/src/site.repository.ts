import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';

export interface SiteRepositoryOptions {
  /** Root of all published sites; created on first publish. */
  sitesDir: string;
}

export interface PublishedVersion {
  siteId: string;
  version: number;
  publishedAt: string;
  files: Array<{ path: string; bytes: number; sha256: string }>;
  /** Whatever the publisher attached (the site spec, the workflow that published it). */
  metadata: Record<string, unknown>;
}

export interface SiteSummary {
  siteId: string;
  currentVersion: number;
  versions: number[];
  /** When `current` was last pointed at a version (a publish or a rollback). */
  activatedAt: string;
}

export interface ResolvedFile {
  absolutePath: string;
  contentType: string;
  version: number;
}

/** What a site id looks like: a slug, safe as a directory name and in a URL. */
export const SITE_ID = /^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$/;
const FILE_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

/**
 * Published sites on disk, as immutable versions and a `current` pointer:
 *
 *   <sitesDir>/<siteId>/versions/<n>/site/...     the files of version n
 *   <sitesDir>/<siteId>/versions/<n>/version.json what was published, when, with which metadata
 *   <sitesDir>/<siteId>/current.json              {"version": n}
 *
 * A version is written whole in a staging directory and renamed into place, and the pointer
 * is written to a temporary file and renamed over the old one, so a reader sees the old site
 * or the new one, never half of either.
 */
export class SiteRepository {
  private readonly sitesDir: string;

  constructor(options: SiteRepositoryOptions) {
    this.sitesDir = options.sitesDir;
  }

  /** Writes `files` as the site's next version and makes it current. */
  async publish(
    siteId: string,
    files: Readonly<Record<string, string>>,
    metadata: Record<string, unknown> = {},
  ): Promise<PublishedVersion> {
    assertSiteId(siteId);
    const paths = Object.keys(files);
    if (paths.length === 0) throw new Error('cannot publish a site with no files');
    for (const path of paths)
      if (!FILE_PATH.test(path) || path.split('/').includes('..'))
        throw new Error(`unsafe file path: ${path}`);

    const siteDir = this.siteDir(siteId);
    const staging = join(siteDir, 'staging', randomUUID());
    try {
      for (const path of paths) {
        const target = join(staging, 'site', ...path.split('/'));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, files[path]);
      }
      const versionsDir = join(siteDir, 'versions');
      await mkdir(versionsDir, { recursive: true });
      const manifest = {
        publishedAt: new Date().toISOString(),
        files: paths.sort().map((path) => ({
          path,
          bytes: Buffer.byteLength(files[path]),
          sha256: createHash('sha256').update(files[path]).digest('hex'),
        })),
        metadata,
      };
      await writeFile(join(staging, 'version.json'), JSON.stringify(manifest, null, 2));
      // Two publishers may pick the same number; rename fails for the second, which takes the next.
      for (let attempt = 0; attempt < 20; attempt++) {
        const version =
          (await this.listVersions(siteId)).reduce((highest, candidate) => Math.max(highest, candidate), 0) +
          1;
        try {
          await rename(staging, join(versionsDir, String(version)));
        } catch (error) {
          if (isCode(error, 'ENOTEMPTY') || isCode(error, 'EEXIST')) continue;
          throw error;
        }
        await this.setCurrent(siteId, version);
        return { siteId, version, ...manifest };
      }
      throw new Error(`could not claim a version number for ${siteId}`);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Points `current` at an existing version (rollback or re-publish). */
  async activate(siteId: string, version: number): Promise<void> {
    assertSiteId(siteId);
    if (!(await this.listVersions(siteId)).includes(version)) {
      throw new SiteNotFoundError(`site ${siteId} has no version ${version}`);
    }
    await this.setCurrent(siteId, version);
  }

  /** Site ids with a current version, alphabetically. */
  async listSites(): Promise<SiteSummary[]> {
    const entries = await readdir(this.sitesDir, { withFileTypes: true }).catch((error) =>
      isCode(error, 'ENOENT') ? [] : Promise.reject(error),
    );
    const sites: SiteSummary[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !SITE_ID.test(entry.name)) continue;
      const pointer = await this.readPointer(entry.name);
      if (pointer !== null)
        sites.push({
          siteId: entry.name,
          currentVersion: pointer.version,
          versions: await this.listVersions(entry.name),
          activatedAt: pointer.activatedAt,
        });
    }
    return sites.sort((first, second) => first.siteId.localeCompare(second.siteId));
  }

  /** Version numbers of a site, ascending; empty for an unknown site. */
  async listVersions(siteId: string): Promise<number[]> {
    assertSiteId(siteId);
    const names = await readdir(join(this.siteDir(siteId), 'versions')).catch((error) =>
      isCode(error, 'ENOENT') ? [] : Promise.reject(error),
    );
    return names
      .filter((name) => /^[1-9]\d*$/.test(name))
      .map(Number)
      .sort((first, second) => first - second);
  }

  /** The version `current` points at, or null for a site never published. */
  async currentVersion(siteId: string): Promise<number | null> {
    return (await this.readPointer(siteId))?.version ?? null;
  }

  /** The manifest of a version (the current one by default). */
  async readVersion(siteId: string, version?: number): Promise<PublishedVersion> {
    const resolved = await this.resolveVersion(siteId, version);
    const manifest = JSON.parse(
      await readFile(join(this.versionDir(siteId, resolved), 'version.json'), 'utf8'),
    ) as Omit<PublishedVersion, 'siteId' | 'version'>;
    return { siteId, version: resolved, ...manifest };
  }

  /** Every file of a version (the current one by default), by relative path. */
  async readFiles(
    siteId: string,
    version?: number,
  ): Promise<{ version: number; files: Record<string, string> }> {
    const manifest = await this.readVersion(siteId, version);
    const files: Record<string, string> = {};
    for (const file of manifest.files) {
      files[file.path] = await readFile(
        join(this.versionDir(siteId, manifest.version), 'site', ...file.path.split('/')),
        'utf8',
      );
    }
    return { version: manifest.version, files };
  }

  /**
   * The file a URL path asks for, of the current version or of the one named, or null. `''` and
   * paths ending in `/` mean `index.html`; `about` finds `about.html`. Anything that would leave
   * the version's directory (`..`, encoded slashes, absolute paths, NUL) resolves to null.
   */
  async resolveFile(
    siteId: string,
    urlPath: string,
    requestedVersion?: number,
  ): Promise<ResolvedFile | null> {
    if (!SITE_ID.test(siteId)) return null;
    const version =
      requestedVersion === undefined
        ? await this.currentVersion(siteId)
        : (await this.listVersions(siteId)).includes(requestedVersion)
          ? requestedVersion
          : null;
    if (version === null) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath.split(/[?#]/)[0]);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
    if (segments.some((segment) => segment === '..' || segment.startsWith('.'))) return null;
    let relativePath = segments.join('/');
    if (relativePath === '' || decoded.endsWith('/')) relativePath = posix.join(relativePath, 'index.html');

    const root = join(this.versionDir(siteId, version), 'site');
    for (const candidate of posix.extname(relativePath)
      ? [relativePath]
      : [relativePath, `${relativePath}.html`, posix.join(relativePath, 'index.html')]) {
      const absolutePath = join(root, ...candidate.split('/'));
      const inside = relative(root, absolutePath);
      if (inside.startsWith('..') || inside.startsWith(sep)) return null;
      const info = await stat(absolutePath).catch(() => null);
      if (info?.isFile()) {
        return {
          absolutePath,
          contentType: CONTENT_TYPES[posix.extname(candidate)] ?? 'application/octet-stream',
          version,
        };
      }
    }
    return null;
  }

  private async resolveVersion(siteId: string, version?: number): Promise<number> {
    assertSiteId(siteId);
    if (version !== undefined) {
      if (!(await this.listVersions(siteId)).includes(version))
        throw new SiteNotFoundError(`site ${siteId} has no version ${version}`);
      return version;
    }
    const current = await this.currentVersion(siteId);
    if (current === null) throw new SiteNotFoundError(`site ${siteId} is not published`);
    return current;
  }

  private async readPointer(siteId: string): Promise<{ version: number; activatedAt: string } | null> {
    assertSiteId(siteId);
    try {
      const pointer = JSON.parse(await readFile(join(this.siteDir(siteId), 'current.json'), 'utf8')) as {
        version?: unknown;
        activatedAt?: unknown;
      };
      if (typeof pointer.version !== 'number') return null;
      return {
        version: pointer.version,
        activatedAt: typeof pointer.activatedAt === 'string' ? pointer.activatedAt : '',
      };
    } catch (error) {
      if (isCode(error, 'ENOENT')) return null;
      throw error;
    }
  }

  private async setCurrent(siteId: string, version: number): Promise<void> {
    const pointer = join(this.siteDir(siteId), 'current.json');
    const temporary = `${pointer}.${randomUUID()}.tmp`;
    await writeFile(temporary, JSON.stringify({ version, activatedAt: new Date().toISOString() }));
    await rename(temporary, pointer);
  }

  private siteDir(siteId: string): string {
    return join(this.sitesDir, siteId);
  }

  private versionDir(siteId: string, version: number): string {
    return join(this.siteDir(siteId), 'versions', String(version));
  }
}

/** The site or version asked for does not exist. */
export class SiteNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteNotFoundError';
  }
}

/** Throws for a site id that could not have been made by the deploy agent. */
export function assertSiteId(siteId: string): void {
  if (!SITE_ID.test(siteId)) throw new SiteNotFoundError(`"${siteId}" is not a valid site id`);
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}
