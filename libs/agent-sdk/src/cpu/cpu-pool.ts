import { CpuTask } from './cpu-task';

/** Runs CPU-bound agent work: in worker threads, or on the caller's thread when the pool is off. */
export interface CpuPool {
  /**
   * Runs the task with `input` and resolves with its output. When `signal` fires, the task stops
   * at once (its thread is terminated and replaced) and the promise rejects with an AbortError.
   * An error the task throws keeps its {@link ErrorKind}; a thread that crashes or runs out of
   * memory fails this task alone with a {@link CpuThreadError}.
   */
  run<Input, Output>(
    task: CpuTask<Input, Output>,
    input: Input,
    options?: { signal?: AbortSignal },
  ): Promise<Output>;
  /** What the pool is doing now, for metrics and health. */
  state(): CpuPoolState;
  /**
   * Resolves once every thread the pool started with has loaded and warmed its `warmTasks`, so a
   * task asked for then starts at once instead of waiting seconds behind that (at once inline).
   */
  whenWarm(): Promise<void>;
  /** Lets running tasks finish, then stops the threads. */
  close(): Promise<void>;
}

export interface CpuPoolState {
  /** Threads alive now; 0 when the pool is off. */
  threads: number;
  /** Tasks waiting for a free thread. */
  queued: number;
  /** Share of the threads' time spent running tasks since the pool (or its last recycle) began, 0..1. */
  utilization: number;
}

/** How one task went, for metrics: queued and running time are apart. */
export interface CpuTaskReport {
  task: string;
  outcome: 'success' | 'error' | 'aborted' | 'crashed';
  waitMs: number;
  runMs: number;
  /** The thread's heap after the task; null when it ran inline or its thread died. */
  heapUsedBytes: number | null;
}

export interface CpuPoolOptions {
  /** Worker threads; 0 runs every task on the caller's event loop (the pool is off). */
  threads: number;
  /** Largest old-generation heap of one thread (`resourceLimits`); a thread past it is replaced. */
  maxHeapMb: number;
  /** A thread whose heap is above this after a task is retired, with its pool, once idle. */
  recycleHeapMb: number;
  /**
   * How much lower than the event loop the threads run (Linux nice, 0-19; default 0). Measured on
   * a shared 2-CPU machine, nice 10 did not lower the loop's lag (V8's own helper threads, shared
   * by every isolate, stay at 0) and let other processes starve the audits, so it is opt-in.
   */
  threadNiceness?: number;
  /** Tasks whose modules every new thread loads (and warms) before it takes work. */
  warmTasks?: CpuTask<unknown, unknown>[];
  onTaskFinished?: (report: CpuTaskReport) => void;
  onRecycled?: (reason: string) => void;
  /** A thread died outside any task (its modules failed to load at start, say). */
  onThreadError?: (message: string) => void;
}
