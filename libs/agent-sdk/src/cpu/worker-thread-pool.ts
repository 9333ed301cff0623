import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import { AgentError, CpuThreadError, describeError } from '../agent-errors';
import { CpuPool, CpuPoolOptions, CpuPoolState, CpuTaskReport } from './cpu-pool';
import { CpuTask, resolveModuleFile } from './cpu-task';
import {
  isCpuThreadWarmed,
  type CpuTaskReply,
  type CpuTaskRequest,
  type CpuThreadData,
} from './cpu-task.messages';

/**
 * What a thread running TypeScript sources needs (tests, `npm start`, benches), and nothing else:
 * the parent's own execArgv cannot be trusted there (the ts-node binary puts its script and
 * options in it). Built code inherits the parent's, as Node does by default.
 */
const TYPESCRIPT_EXEC_ARGV = ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register'];

/**
 * Each thread's young generation, in MB: what Node 20 gives a thread. Node 24 gives a thread whose
 * old generation is bounded 192 MB of it, and an audit's short-lived DOM garbage fills it: two
 * threads then held some 250 MB more than on Node 20 under CREATE_SITE load (0.75 GB of orchestrator
 * RSS against 0.45), with no gain in throughput.
 */
export const THREAD_YOUNG_GENERATION_MB = 48;

/**
 * The CPU pool on worker threads (piscina): one task per thread at a time, threads started warm
 * and kept, each heap bounded by `resourceLimits`. Cancellation terminates the busy thread and
 * piscina starts another. A thread whose heap stays above `recycleHeapMb` after a task gets the
 * whole pool replaced once nothing waits in it: new tasks go to fresh threads while the old ones
 * finish what they hold (piscina has no per-thread recycling of its own).
 */
export class WorkerThreadPool implements CpuPool {
  private pool: Piscina;
  /**
   * Hands piscina no more tasks than it has threads; the rest wait here, first asked, first run.
   * piscina's own queue is not first in, first out for tasks with a signal (each step's has one):
   * a task it cannot hand to a busy thread goes to the back of the queue (or, with its
   * `stricterFIFO`, a newly asked one jumps to the front; piscinajs/piscina#1031), so under load
   * some audits waited several times as long as the others.
   */
  private readonly turns: ReturnType<typeof pLimit>;
  /**
   * The tasks each piscina runs. Its close() ends a busy thread's task as soon as another thread
   * finishes one (it counts that thread as done once per listener it added), so a piscina is
   * closed only once none of its tasks runs.
   */
  private readonly running = new WeakMap<Piscina, Set<Promise<unknown>>>();
  private isRecycleDue = false;
  private readonly retiring = new Set<Promise<void>>();
  private readonly entryFile = resolveModuleFile(`${__dirname}/cpu-task.worker`);
  private readonly warm: Promise<void>;

  constructor(private readonly options: CpuPoolOptions) {
    this.pool = this.startPool();
    this.turns = pLimit(options.threads);
    const first = this.pool;
    this.warm = new Promise((resolve) => {
      let warmed = 0;
      const onMessage = (message: unknown) => {
        if (!isCpuThreadWarmed(message) || ++warmed < options.threads) return;
        first.off('message', onMessage);
        resolve();
      };
      first.on('message', onMessage);
    });
  }

  async run<Input, Output>(
    task: CpuTask<Input, Output>,
    input: Input,
    options: { signal?: AbortSignal } = {},
  ): Promise<Output> {
    const request: CpuTaskRequest = { modulePath: task.modulePath, exportName: task.exportName, input };
    const submittedAt = performance.now();
    const report = (outcome: CpuTaskReport['outcome'], runMs: number, heapUsedBytes: number | null = null) =>
      this.options.onTaskFinished?.({
        task: task.name,
        outcome,
        runMs,
        waitMs: Math.max(0, performance.now() - submittedAt - runMs),
        heapUsedBytes,
      });
    let reply: CpuTaskReply;
    try {
      // A signal that fired while the task waited its turn makes piscina reject it at once.
      reply = (await this.turns(() => this.runOn(this.pool, request, options.signal))) as CpuTaskReply;
    } catch (error) {
      const elapsedMs = performance.now() - submittedAt;
      if (options.signal?.aborted) {
        report('aborted', elapsedMs);
        throw error;
      }
      report('crashed', elapsedMs);
      throw new CpuThreadError(`the worker thread running ${task.name} failed: ${describeError(error)}`, {
        cause: error,
      });
    } finally {
      this.recycleIfDue();
    }
    if (reply.heapUsedBytes > this.options.recycleHeapMb * 1024 * 1024) {
      this.isRecycleDue = true;
      this.recycleIfDue();
    }
    report(reply.ok ? 'success' : 'error', reply.runMs, reply.heapUsedBytes);
    if (reply.ok) return reply.output as Output;
    const failure = new AgentError(reply.error.kind, reply.error.message);
    failure.name = reply.error.name;
    throw failure;
  }

  state(): CpuPoolState {
    return {
      threads: this.pool.threads.length,
      queued: this.turns.pendingCount + this.pool.queueSize,
      utilization: this.pool.utilization,
    };
  }

  whenWarm(): Promise<void> {
    return this.warm;
  }

  async close(): Promise<void> {
    // Every task asked for before has been handed to piscina once this turn comes; each runs to
    // its end before the threads stop.
    await this.turns(() => undefined);
    await Promise.all([this.closeWhenIdle(this.pool), ...this.retiring]);
  }

  private runOn(pool: Piscina, request: CpuTaskRequest, signal?: AbortSignal): Promise<unknown> {
    const tasks = this.running.get(pool)!;
    const task = pool.run(request, { signal: signal ?? null });
    const settled: Promise<boolean> = task.then(
      () => tasks.delete(settled),
      () => tasks.delete(settled),
    );
    tasks.add(settled);
    return task;
  }

  private async closeWhenIdle(pool: Piscina): Promise<void> {
    await Promise.all(this.running.get(pool)!);
    await pool.close();
  }

  private startPool(): Piscina {
    const workerData: CpuThreadData = {
      warmModules: [...new Set((this.options.warmTasks ?? []).map((task) => task.modulePath))],
      niceness: this.options.threadNiceness ?? 0,
    };
    const pool = new Piscina({
      filename: this.entryFile,
      name: 'runCpuTask',
      minThreads: this.options.threads,
      maxThreads: this.options.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.maxHeapMb,
        maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB,
      },
      workerData,
      execArgv: this.entryFile.endsWith('.ts') ? TYPESCRIPT_EXEC_ARGV : undefined,
    });
    // A thread that dies outside a task (its modules failed to load, say) is reported here; unheard,
    // the event would end the whole process. The tasks sent to it fail as CpuThreadError meanwhile.
    pool.on('error', (error: unknown) => this.options.onThreadError?.(describeError(error)));
    this.running.set(pool, new Set());
    return pool;
  }

  /**
   * Swaps in a fresh pool once the current one has no queued task (those would be rejected); the
   * retired one finishes the tasks it runs, then closes.
   */
  private recycleIfDue(): void {
    if (!this.isRecycleDue || this.pool.queueSize > 0) return;
    this.isRecycleDue = false;
    const retired = this.pool;
    this.pool = this.startPool();
    const closing = this.closeWhenIdle(retired).finally(() => this.retiring.delete(closing));
    this.retiring.add(closing);
    this.options.onRecycled?.(`a thread's heap passed ${this.options.recycleHeapMb} MB`);
  }
}
