import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A gateway and the key to use there. */
export interface Profile {
  url: string;
  key: string;
  /** The key's tenant, as the person logging in named it (informative, and part of the default name). */
  tenant?: string;
}

interface ProfileFile {
  current: string | null;
  profiles: Record<string, Profile>;
}

/**
 * The profiles file, `<dir>/profiles.json`: one profile per gateway and tenant, and which is
 * current. It holds API keys, so it is written 0600 in a 0700 folder.
 */
export class ProfileStore {
  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'profiles.json');
  }

  async read(): Promise<ProfileFile> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as ProfileFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { current: null, profiles: {} };
      throw error;
    }
  }

  /** The named profile, or the current one. */
  async get(name?: string): Promise<{ name: string; profile: Profile } | null> {
    const file = await this.read();
    const chosen = name ?? file.current;
    if (!chosen) return null;
    const profile = file.profiles[chosen];
    return profile ? { name: chosen, profile } : null;
  }

  /** Saves a profile and makes it current. */
  async save(name: string, profile: Profile): Promise<void> {
    const file = await this.read();
    file.profiles[name] = profile;
    file.current = name;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // Written aside and renamed, with its mode set before the key is in it.
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, '', { mode: 0o600 });
    await chmod(temporary, 0o600);
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`);
    await rename(temporary, this.path);
  }

  /** Removes a profile; the current one is cleared if it was that one. */
  async remove(name: string): Promise<boolean> {
    const file = await this.read();
    if (!file.profiles[name]) return false;
    delete file.profiles[name];
    if (file.current === name) file.current = null;
    await writeFile(this.path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    return true;
  }
}

/** The default profile name: the gateway's host, and the tenant when given (`localhost:3000/acme`). */
export function profileName(url: string, tenant?: string): string {
  const host = new URL(url).host;
  return tenant ? `${host}/${tenant}` : host;
}
