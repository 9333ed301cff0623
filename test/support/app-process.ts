import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { freePort } from './test-environment';
import { hasExited } from './child-exit';

export type AppName = 'gateway' | 'orchestrator' | 'metrics';

const ROOT = resolve(__dirname, '../..');
const BOOT_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

/** What `/health` answers once an app is up. */
export interface HealthReport {
  status: string;
  details: Record<string, { status: string }>;
}

/** How a process ended: by itself (`isKilled` false), or by SIGKILL after the grace period. */
export interface ExitReport {
  code: number | null;
  signal: string | null;
  isKilled: boolean;
}

/**
 * One app running as its own Node process, as in production a separate process with its own
 * connections: from the TypeScript sources (`start`), or any command such as a production build
 * (`spawn`). Its output is kept to explain a failure.
 */
export class AppProcess {
  private output = '';

  private constructor(
    readonly name: AppName,
    readonly port: number,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.output;
  }

  /** Runs `node <args>` in `cwd` with exactly `env` (plus PORT, a free one unless given); does not wait. */
  static async spawn(
    name: AppName,
    options: { args: string[]; cwd: string; env: Record<string, string> },
  ): Promise<AppProcess> {
    const port = Number(options.env.PORT ?? (await freePort()));
    const child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: { ...options.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(name, port, child);
  }

  /** Starts an app from its TypeScript sources and waits until it is healthy. */
  static async start(name: AppName, env: Record<string, string>): Promise<AppProcess> {
    const app = await AppProcess.spawn(name, {
      args: [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        `apps/${name}/src/main.ts`,
      ],
      cwd: ROOT,
      env: {
        ...(process.env as Record<string, string>),
        ...env,
        TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'),
      },
    });
    await app.waitUntilHealthy();
    return app;
  }

  /**
   * Starts several apps at once. If one fails to boot, the others are stopped before the error
   * is thrown, so no process is left to keep Jest from exiting.
   */
  static async startAll(names: AppName[], env: Record<string, string>): Promise<AppProcess[]> {
    const started = await Promise.allSettled(names.map((name) => AppProcess.start(name, env)));
    const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) {
      await Promise.all(running.map((app) => app.stop()));
      throw failure.reason;
    }
    return running;
  }

  /** Resolves with the first 200 of `/health`; fails with the app's output if it exits or takes too long. */
  async waitUntilHealthy(timeoutMs = BOOT_TIMEOUT_MS): Promise<HealthReport> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (hasExited(this.child)) {
        throw new Error(
          `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.output}`,
        );
      }
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.status === 200) return (await response.json()) as HealthReport;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name} was not healthy within ${timeoutMs} ms:\n${this.output}`);
  }

  /** Waits for the process to end by itself (within `timeoutMs`, else SIGKILL). */
  async exited(timeoutMs = STOP_TIMEOUT_MS): Promise<ExitReport> {
    let isKilled = false;
    if (!hasExited(this.child)) {
      const timer = setTimeout(() => {
        isKilled = true;
        this.child.kill('SIGKILL');
      }, timeoutMs);
      await once(this.child, 'exit');
      clearTimeout(timer);
    }
    return { code: this.child.exitCode, signal: this.child.signalCode, isKilled };
  }

  /** SIGTERM, as Kubernetes and `docker stop` send, and wait for a graceful exit. */
  async stop(): Promise<ExitReport> {
    if (!hasExited(this.child)) this.child.kill('SIGTERM');
    return this.exited();
  }

  /** SIGKILL: a crash, with no chance to finish or hand back work. */
  async kill(): Promise<void> {
    if (hasExited(this.child)) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}
