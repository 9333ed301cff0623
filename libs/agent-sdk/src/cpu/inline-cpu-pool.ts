import { performance } from 'node:perf_hooks';
import { CpuPool, CpuPoolOptions, CpuPoolState } from './cpu-pool';
import { CpuTask, loadCpuTaskFunction } from './cpu-task';

/**
 * The pool switched off (`threads: 0`): each task runs on the caller's event loop, as every
 * agent did before the pool. Kept for comparison (the stack bench) and for small deployments.
 */
export class InlineCpuPool implements CpuPool {
  constructor(private readonly options: Pick<CpuPoolOptions, 'onTaskFinished'> = {}) {}

  async run<Input, Output>(
    task: CpuTask<Input, Output>,
    input: Input,
    options: { signal?: AbortSignal } = {},
  ): Promise<Output> {
    options.signal?.throwIfAborted();
    const startedAt = performance.now();
    let outcome: 'success' | 'error' = 'error';
    try {
      const output = (await loadCpuTaskFunction(task)(input)) as Output;
      outcome = 'success';
      return output;
    } finally {
      this.options.onTaskFinished?.({
        task: task.name,
        outcome,
        waitMs: 0,
        runMs: performance.now() - startedAt,
        heapUsedBytes: null,
      });
    }
  }

  state(): CpuPoolState {
    return { threads: 0, queued: 0, utilization: 0 };
  }

  async whenWarm(): Promise<void> {}

  async close(): Promise<void> {}
}
