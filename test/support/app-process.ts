import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { freePort } from './test-environment';

export type AppName = 'gateway' | 'orchestrator' | 'metrics';

const ROOT = resolve(__dirname, '../..');
const BOOT_TIMEOUT_MS = 90_000;

/**
 * One app running as its own Node process from the TypeScript sources, as in production a
 * separate process with its own connections. Its output is kept to explain a failure.
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

  static async start(name: AppName, env: Record<string, string>): Promise<AppProcess> {
    const port = Number(env.PORT ?? (await freePort()));
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', `apps/${name}/src/main.ts`],
      {
        cwd: ROOT,
        env: { ...process.env, ...env, PORT: String(port), TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const app = new AppProcess(name, port, child);
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

  /** Resolves once `/health` answers 200; fails with the app's output if it exits or takes too long. */
  async waitUntilHealthy(): Promise<void> {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`${this.url}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name} was not healthy within ${BOOT_TIMEOUT_MS} ms:\n${this.output}`);
  }

  /** SIGTERM and wait for a graceful exit (SIGKILL after 20 s). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    return this.child.exitCode;
  }

  /** SIGKILL: a crash, with no chance to finish or hand back work. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }
}
