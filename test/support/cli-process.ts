import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/** How one run of the CLI ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The `ao` CLI as a person runs it, in a process of its own, from its TypeScript sources. Its
 * environment is exactly `env` plus what Node and ts-node need: no AO_* of the developer's shell.
 */
export function cliCommandLine(args: string[]): string[] {
  return [
    process.execPath,
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    resolve(ROOT, 'apps/cli/src/main.ts'),
    ...args,
  ];
}

/** The environment the CLI runs with: `env`, and the paths Node and ts-node need. */
export function cliEnvironment(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'),
    ...env,
  };
}

/** Runs `ao <args>` to its end (killed after `timeoutMs`); stdin gets `input`, then end of file. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const [command, ...rest] = cliCommandLine(args);
  const child = spawn(command, rest, { cwd: ROOT, env: cliEnvironment(env), stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
