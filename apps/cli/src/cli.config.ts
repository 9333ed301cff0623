import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, ExitCode } from './cli-error';
import { ProfileStore } from './profile.store';

/** What the CLI reads from its environment, read here once. */
export interface CliEnvironment {
  url?: string;
  key?: string;
  profile?: string;
  configDir: string;
  /** False under NO_COLOR (no-color.org). */
  isColorAllowed: boolean;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return {
    url: env.AO_URL || undefined,
    key: env.AO_KEY || undefined,
    profile: env.AO_PROFILE || undefined,
    configDir: env.AO_CONFIG_DIR || join(configHome, 'ao'),
    isColorAllowed: !env.NO_COLOR,
  };
}

/** The gateway to talk to and the key to present. */
export interface Connection {
  url: string;
  key: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/**
 * AO_URL and AO_KEY win over the profile (`--profile`, AO_PROFILE, or the current one), so that
 * CI can run without a profiles file; each may come from a different place.
 */
export async function resolveConnection(
  environment: CliEnvironment,
  profileOption?: string,
): Promise<Connection> {
  const profileName = profileOption ?? environment.profile;
  const saved = await new ProfileStore(environment.configDir).get(profileName);
  if (profileName && !saved) {
    throw new CliError(`no profile "${profileName}": run ao login --profile ${profileName}`, ExitCode.NoKey);
  }
  const key = environment.key ?? saved?.profile.key;
  if (!key) throw new CliError('no API key: run ao login, or set AO_KEY', ExitCode.NoKey);
  const url = checkedUrl(environment.url ?? saved?.profile.url ?? DEFAULT_URL);
  return { url, key };
}

/** The URL without a trailing slash; a wrong one is a usage error, not a connection failure. */
export function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`not a URL: "${url}" (expected e.g. ${DEFAULT_URL})`, ExitCode.Usage);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError(`not an http(s) URL: "${url}"`, ExitCode.Usage);
  }
  return parsed.toString().replace(/\/+$/, '');
}
