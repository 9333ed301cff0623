// A CPU task module whose warm() ends only once the process's warm gate (a file) exists, so a spec
// decides when the pool's threads are warm. Its threads share the spec's process, hence its pid.
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { defineCpuTask } from './cpu-task';

export const WARM_GATE = join(tmpdir(), `cpu-pool-warm-gate-${process.pid}`);
/** Where a thread says its warm() has begun: the gate's name and the thread's id. */
export const warmBegunMark = (thread: number) => `${WARM_GATE}.begun-${thread}`;

let isWarm = false;

export async function warm(): Promise<void> {
  writeFileSync(warmBegunMark(threadId), '');
  while (!existsSync(WARM_GATE)) await sleep(10);
  isWarm = true;
}

/** Whether this thread's warm() had ended when the task ran. */
export function warmed(): boolean {
  return isWarm;
}

export const warmedTask = defineCpuTask<void, boolean>(__dirname, 'cpu-pool.gated-warm.fixture', 'warmed');
