import { CpuPool, CpuPoolOptions } from './cpu-pool';
import { InlineCpuPool } from './inline-cpu-pool';
import { WorkerThreadPool } from './worker-thread-pool';

/** The pool the options ask for: worker threads, or inline when `threads` is 0. */
export function createCpuPool(options: CpuPoolOptions): CpuPool {
  return options.threads === 0 ? new InlineCpuPool(options) : new WorkerThreadPool(options);
}
