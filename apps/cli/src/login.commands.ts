import { createInterface } from 'node:readline/promises';
import { CliContext } from './cli-context';
import { CliError, ExitCode } from './cli-error';
import { DEFAULT_URL, checkedUrl } from './cli.config';
import { GatewayClient } from './gateway.client';
import { ProfileStore, profileName } from './profile.store';

/**
 * `login`: checks the key against the gateway, then saves it as a profile (0600) and makes it
 * current. The key comes from --key, AO_KEY, or stdin (`… | ao login`), so it need not be typed
 * where the shell's history keeps it.
 */
export async function loginCommand(
  context: CliContext,
  options: { url?: string; key?: string; tenant?: string; profile?: string },
): Promise<ExitCode> {
  const url = checkedUrl(options.url ?? context.environment.url ?? DEFAULT_URL);
  const key = options.key ?? context.environment.key ?? (await readKey());
  if (!key) throw new CliError('no API key given (--key, AO_KEY, or on stdin)', ExitCode.NoKey);
  await new GatewayClient({ url, key }).list({ limit: 1, tenantId: options.tenant });
  const name = options.profile ?? profileName(url, options.tenant);
  const store = new ProfileStore(context.environment.configDir);
  await store.save(name, { url, key, ...(options.tenant ? { tenant: options.tenant } : {}) });
  process.stderr.write(`logged in to ${url} as profile "${name}" (saved in ${store.path})\n`);
  return ExitCode.Ok;
}

/** `logout`: forgets a profile (the current one by default). */
export async function logoutCommand(context: CliContext, options: { profile?: string }): Promise<ExitCode> {
  const store = new ProfileStore(context.environment.configDir);
  const name = options.profile ?? (await store.read()).current;
  if (!name || !(await store.remove(name))) {
    throw new CliError(name ? `no profile "${name}"` : 'not logged in', ExitCode.NoKey);
  }
  process.stderr.write(`forgot profile "${name}"\n`);
  return ExitCode.Ok;
}

/** `profiles`: the saved profiles, without their keys. */
export async function profilesCommand(context: CliContext): Promise<ExitCode> {
  const file = await new ProfileStore(context.environment.configDir).read();
  const rows = Object.entries(file.profiles).map(([name, profile]) => ({
    name,
    url: profile.url,
    tenant: profile.tenant ?? null,
    isCurrent: name === file.current,
  }));
  context.output.list(
    rows,
    {
      current: (row) => (row.isCurrent ? '*' : ''),
      name: (row) => row.name,
      url: (row) => row.url,
      tenant: (row) => row.tenant,
    },
    'no profiles: run ao login',
  );
  return ExitCode.Ok;
}

async function readKey(): Promise<string | undefined> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  try {
    if (process.stdin.isTTY) process.stderr.write('API key: ');
    for await (const line of prompt) return line.trim() || undefined;
    return undefined;
  } finally {
    prompt.close();
  }
}
