// Tasks for the CPU pool's own specs, loaded by worker threads from this file.
import { getPriority } from 'node:os';
import { getHeapSpaceStatistics } from 'node:v8';
import { threadId } from 'node:worker_threads';
import { ValidationError } from '../agent-errors';
import { defineCpuTask } from './cpu-task';

/** Busy-waits `ms` milliseconds, as CPU-bound work does, and says which thread it ran on. */
export function spin({ ms }: { ms: number }): { threadId: number } {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return { threadId };
}

/** The niceness of the thread it runs on (on Linux, getPriority() without a pid is per thread). */
export function niceness(): number {
  return getPriority();
}

/**
 * Takes the next number from a counter shared by every thread (a SharedArrayBuffer travels
 * shared, not copied), so a spec can tell the order in which tasks started, then busy-waits `ms`.
 */
export function takeTurn({ turns, ms }: { turns: Int32Array; ms: number }): number {
  const turn = Atomics.add(turns, 0, 1);
  spin({ ms });
  return turn;
}

export function reject(): never {
  throw new ValidationError('the input names no site');
}

/** Ends its thread, as a native crash or a stray `process.exit` would. */
export function crash(): never {
  process.exit(7);
}

/** Allocates without bound: the thread must hit its heap limit. */
export function exhaustHeap(): never {
  const kept: number[][] = [];
  for (;;) kept.push(new Array<number>(100_000).fill(1));
}

const retained: number[][] = [];
/** Keeps `mb` more megabytes alive in its thread each call: a leak the pool must recycle away. */
export function leak({ mb }: { mb: number }): { threadId: number } {
  retained.push(new Array<number>((mb * 1024 * 1024) / 8).fill(1.5));
  return { threadId };
}

/**
 * Makes `mb` megabytes of garbage that lives a little (as a page's DOM does) and says how many
 * megabytes the thread's young generation has taken from the system meanwhile.
 */
export function churn({ mb }: { mb: number }): { newSpaceMb: number } {
  let recent: { index: number; text: string }[] = [];
  for (let made = 0; made < (mb * 1024 * 1024) / 64; made++) {
    recent.push({ index: made, text: `item ${made}` });
    if (recent.length > 50_000) recent = [];
  }
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!;
  return { newSpaceMb: newSpace.space_size / 2 ** 20 };
}

const here = __dirname;
export const spinTask = defineCpuTask<{ ms: number }, { threadId: number }>(here, 'cpu-pool.fixture', 'spin');
export const nicenessTask = defineCpuTask<void, number>(here, 'cpu-pool.fixture', 'niceness');
export const takeTurnTask = defineCpuTask<{ turns: Int32Array; ms: number }, number>(
  here,
  'cpu-pool.fixture',
  'takeTurn',
);
export const rejectTask = defineCpuTask<void, never>(here, 'cpu-pool.fixture', 'reject');
export const crashTask = defineCpuTask<void, never>(here, 'cpu-pool.fixture', 'crash');
export const exhaustHeapTask = defineCpuTask<void, never>(here, 'cpu-pool.fixture', 'exhaustHeap');
export const churnTask = defineCpuTask<{ mb: number }, { newSpaceMb: number }>(
  here,
  'cpu-pool.fixture',
  'churn',
);
export const leakTask = defineCpuTask<{ mb: number }, { threadId: number }>(here, 'cpu-pool.fixture', 'leak');
