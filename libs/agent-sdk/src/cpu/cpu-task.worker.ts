// The entry of each worker thread of the CPU pool: runs one CPU task at a time for the pool and
// reports the thread's heap after each, so the pool can recycle a thread whose heap only grows.
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { errorKindOf } from '../agent-errors';
import { requireAtRunTime } from '../run-time-require';
import { loadCpuTaskFunction, resolveModuleFile } from './cpu-task';
import type { CpuTaskReply, CpuTaskRequest, CpuThreadData, CpuThreadWarmed } from './cpu-task.messages';

/** Runs a task; a thrown error comes back as data, so its kind survives the thread boundary. */
async function runTask(request: CpuTaskRequest): Promise<CpuTaskReply> {
  const startedAt = performance.now();
  try {
    const output = await loadCpuTaskFunction(request)(request.input);
    return { ok: true, output, runMs: performance.now() - startedAt, heapUsedBytes: heapUsed() };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    return {
      ok: false,
      error: { kind: errorKindOf(error), name, message },
      runMs: performance.now() - startedAt,
      heapUsedBytes: heapUsed(),
    };
  }
}

function heapUsed(): number {
  // In a worker thread this is the thread's own V8 heap, not the process's.
  return process.memoryUsage().heapUsed;
}

const threadData = workerData as CpuThreadData | undefined;

/** The longest a thread's warm-up holds back its first task. */
const WARM_LIMIT_MS = 30_000;

// A thread busy with CPU work must not hold back the event loop it works for: renewing job locks,
// hearing cancels and starting steps come first. On Linux, setPriority() without a pid changes
// the calling thread only (elsewhere it would change the whole process, so it is left alone).
if (process.platform === 'linux' && threadData?.niceness) setPriority(threadData.niceness);

// Warm start: load the declared task modules now and let each prepare itself (`warm()`), so the
// first step a fresh thread serves does not pay for loading jsdom, axe and the like.
// A module that fails to load does not take the thread down with it: its tasks fail, each with
// the module's own error, and the other modules' tasks run.
const warmings: Promise<unknown>[] = [];
for (const modulePath of threadData?.warmModules ?? []) {
  try {
    const loaded = requireAtRunTime(resolveModuleFile(modulePath)) as { warm?: () => unknown };
    if (typeof loaded.warm === 'function') {
      warmings.push(
        Promise.resolve(loaded.warm()).catch((error: unknown) =>
          process.emitWarning(`warming ${modulePath} failed: ${String(error)}`),
        ),
      );
    }
  } catch (error) {
    process.emitWarning(`loading ${modulePath} failed: ${String(error)}`);
  }
}
// Warm, or as warm as it will get (a warm() that never ends holds the thread back for a bounded
// time only): the pool hears it as a message of its own, not piscina's.
const warmed = Promise.race([
  Promise.allSettled(warmings),
  new Promise((resolve) => setTimeout(resolve, WARM_LIMIT_MS).unref()),
]).then(() => parentPort?.postMessage({ cpuThreadWarmed: true } satisfies CpuThreadWarmed));

/**
 * What piscina calls for each task, handed over once the thread is warm. piscina awaits a promised
 * handler before it takes the thread's first task, and meanwhile the thread's event loop runs: an
 * idle thread waits for tasks blocked in Atomics.wait, where an async warm-up (the audit's first
 * run in a jsdom window) stalled until a task came, and the first tasks waited seconds behind it.
 */
export const runCpuTask: Promise<typeof runTask> = warmed.then(() => runTask);
