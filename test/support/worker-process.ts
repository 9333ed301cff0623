import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { hasExited } from './child-exit';

const ROOT = resolve(__dirname, '../..');
const READY_TIMEOUT_MS = 60_000;

/**
 * An agent worker in a process of its own (test/support/agent-worker.main.ts), as a team's agent
 * service runs beside the orchestrator. `kill` ends it as a crash would: no withdrawal, no
 * finished step.
 */
export class WorkerProcess {
  private output = '';
  /** The worker id it announced. */
  id = '';

  private constructor(readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get logs(): string {
    return this.output;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Starts a worker serving `agents` (`name@version`) and waits until it has announced itself. */
  static async start(agents: string[], env: Record<string, string>): Promise<WorkerProcess> {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'test/support/agent-worker.main.ts',
      ],
      {
        cwd: ROOT,
        env: {
          ...(process.env as Record<string, string>),
          ...env,
          WORKER_AGENTS: agents.join(','),
          TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const worker = new WorkerProcess(child);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!/ready (\S+)/.test(worker.output)) {
      if (hasExited(child))
        throw new Error(`worker exited (${child.exitCode ?? child.signalCode}):\n${worker.output}`);
      if (Date.now() > deadline)
        throw new Error(`worker not ready within ${READY_TIMEOUT_MS} ms:\n${worker.output}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    worker.id = /ready (\S+)/.exec(worker.output)?.[1] ?? '';
    return worker;
  }

  /** SIGKILL: the process dies mid-step, as on an OOM kill or a lost node. */
  async kill(): Promise<void> {
    if (hasExited(this.child)) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }

  /** SIGTERM: it finishes its steps, withdraws and exits. */
  async stop(): Promise<void> {
    if (hasExited(this.child)) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}
