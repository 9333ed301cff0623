import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppProcess } from '../support/app-process';
import { APP_NAMES, AppName, readRepoFile, REPO_ROOT } from './deployment-files';

/**
 * What docker/Dockerfile does, read from it so that this test follows the image: the files its
 * build stage copies in (then `npm run build`), the `npm ci` flags of its runtime stage, and the
 * command each app's stage runs.
 */
export interface DockerRecipe {
  /** Repository paths the build stage COPYs from the build context. */
  buildContext: string[];
  /** The runtime stage's `npm ci` arguments, e.g. ['--omit=dev', '--omit=optional', ...]. */
  productionInstall: string[];
  /** Each app stage's CMD, e.g. ['node', '--max-semi-space-size=16', 'dist/apps/gateway/main.js']. */
  commands: Partial<Record<AppName, string[]>>;
}

export function dockerRecipe(): DockerRecipe {
  const lines = readRepoFile('docker/Dockerfile')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
  const stages = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const from = /^FROM \S+(?: AS (\S+))?$/i.exec(line);
    if (from) stages.set((from[1] ?? '').toLowerCase(), (current = []));
    else current?.push(line);
  }
  const build = stages.get('build') ?? [];
  const runtime = stages.get('runtime') ?? [];
  const buildContext = build
    .filter((line) => /^COPY /i.test(line) && !/--from=/.test(line))
    .flatMap((line) =>
      line
        .replace(/^COPY /i, '')
        .split(' ')
        .filter((word) => !word.startsWith('--'))
        .slice(0, -1),
    )
    .map((path) => path.replace(/^\.\//, '').replace(/\/$/, ''));
  const install = runtime.find((line) => /^RUN npm ci /i.test(line));
  if (buildContext.length === 0 || !install || !build.some((line) => /^RUN npm run build\b/.test(line)))
    throw new Error(
      'docker/Dockerfile: expected a "build" stage (COPY, npm run build) and a "runtime" npm ci',
    );
  const productionInstall = install
    .replace(/^RUN npm ci /i, '')
    .split('&&')[0]
    .trim()
    .split(' ')
    .filter((word) => word.startsWith('--'));
  const commands: DockerRecipe['commands'] = {};
  for (const name of APP_NAMES) {
    const command = stages.get(name)?.find((line) => /^CMD \[/i.test(line));
    if (command) commands[name] = JSON.parse(command.replace(/^CMD /i, '')) as string[];
  }
  return { buildContext, productionInstall, commands };
}

/** Files .dockerignore keeps out of the build context inside apps/ and libs/. */
const IGNORED_BY_DOCKER = /(^|\/)node_modules(\/|$)|\.(int-|e2e-)?spec\.ts$/;

/**
 * The build stage's context in `dir`: copies of what the Dockerfile COPYs, and the repository's
 * own (full, dev) node_modules linked in for the build tools, as the build stage's `npm ci` has.
 */
export function stageBuildContext(dir: string, paths: string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const path of paths) {
    cpSync(join(REPO_ROOT, path), join(dir, path), {
      recursive: true,
      filter: (source) => !IGNORED_BY_DOCKER.test(source.slice(REPO_ROOT.length + 1)),
    });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/** The environment for npm and the apps: no npm_* variables of an outer `npm test`, no NODE_PATH/NODE_OPTIONS. */
export function cleanEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const keep: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      value === undefined ||
      /^npm_/i.test(name) ||
      /^(NODE_PATH|NODE_OPTIONS|NODE_ENV|TS_NODE_.*)$/.test(name)
    )
      continue;
    keep[name] = value;
  }
  return { ...keep, ...extra };
}

/** Runs a command to its end; rejects with its output when it fails. */
export async function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = cleanEnvironment(),
): Promise<string> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${output}`);
  return output;
}

/**
 * The runtime stage's install in `dir` (a copy of package.json and package-lock.json): `npm ci`
 * with the Dockerfile's flags. Where npm ci refuses the lock file as out of sync with
 * package.json, `npm install` with the same flags installs the same locked versions instead
 * (the caller checks them against the lock), and the reason is returned.
 */
export async function installProductionDependencies(
  dir: string,
  flags: string[],
): Promise<string | undefined> {
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(REPO_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  try {
    await run('npm', ['ci', ...flags], dir);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    if (!/package-lock\.json .*in sync/.test(message)) throw error;
    await run('npm', ['install', '--no-save', ...flags], dir);
    return message
      .split('\n')
      .filter((line) => /Missing: |Invalid: /.test(line))
      .map((line) => line.replace(/^npm error /, ''))
      .join('\n');
  }
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
}

/** Installed packages (npm's hidden lock file in node_modules) that the repository's lock does not vouch for as production ones. */
export function unexpectedPackages(dir: string): string[] {
  const lock = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    }
  ).packages;
  const installed = (
    JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    }
  ).packages;
  const problems: string[] = [];
  for (const [path, entry] of Object.entries(installed)) {
    const locked = lock[path];
    if (!locked) problems.push(`${path}@${entry.version}: not in package-lock.json`);
    else if (locked.dev || locked.devOptional) problems.push(`${path}: a dev dependency`);
    else if (locked.version !== entry.version)
      problems.push(`${path}@${entry.version}: package-lock.json has ${locked.version}`);
  }
  return problems;
}

/** Every node_modules folder Node would look in for a module required from `dir`, that exists. */
export function reachableNodeModules(dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    if (basename(current) !== 'node_modules' && existsSync(join(current, 'node_modules')))
      found.push(join(current, 'node_modules'));
    if (dirname(current) === current) return found;
  }
}

/**
 * One app run as its image runs it, in the runtime folder: its stage's CMD (`node`, the runtime's
 * flags, `dist/apps/<name>/main.js`), with this process's Node.
 */
export function startBuiltApp(
  dir: string,
  name: AppName,
  env: Record<string, string>,
  args: string[] = [],
): Promise<AppProcess> {
  const command = dockerRecipe().commands[name];
  if (command?.[0] !== 'node' || command.at(-1) !== `dist/apps/${name}/main.js`)
    throw new Error(
      `docker/Dockerfile: expected the ${name} stage to run CMD ["node", ..., "dist/apps/${name}/main.js"]`,
    );
  return AppProcess.spawn(name, {
    args: [...command.slice(1), ...args],
    cwd: dir,
    env: cleanEnvironment({ ...env, NODE_ENV: 'production' }),
  });
}

/** How a command run to its end went: exit code and what it printed. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The keys CLI as the gateway image runs it, `node dist/apps/gateway/cli.js <args>` in the
 * runtime folder, with exactly `env` (no variable of the test process, so no REDIS_URL unless given).
 */
export function runBuiltKeysCli(
  dir: string,
  args: string[],
  env: Record<string, string>,
): Promise<CommandResult> {
  return runBuiltScript(dir, 'dist/apps/gateway/cli.js', args, env);
}

/** The ao CLI as the gateway image ships it, `node dist/apps/cli/main.js <args>`, with exactly `env`. */
export function runBuiltAoCli(
  dir: string,
  args: string[],
  env: Record<string, string>,
): Promise<CommandResult> {
  return runBuiltScript(dir, 'dist/apps/cli/main.js', args, env);
}

async function runBuiltScript(
  dir: string,
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<CommandResult> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
