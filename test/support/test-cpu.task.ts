// CPU tasks of the test agents in test-cpu-agents.ts, loaded by the orchestrator's pool threads.
import { defineCpuTask } from '@app/agent-sdk';
import { threadId } from 'node:worker_threads';

/** Busy-waits `ms` milliseconds, as CPU-bound agent work does, and says which thread it ran on. */
export function spin({ ms }: { ms: number }): { threadId: number } {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return { threadId };
}

/** Ends its thread when asked, as a native crash would; else returns at once. */
export function crashIf({ isCrashing }: { isCrashing: boolean }): { threadId: number } {
  if (isCrashing) process.exit(9);
  return { threadId };
}

export const spinTask = defineCpuTask<{ ms: number }, { threadId: number }>(
  __dirname,
  'test-cpu.task',
  'spin',
);
export const crashIfTask = defineCpuTask<{ isCrashing: boolean }, { threadId: number }>(
  __dirname,
  'test-cpu.task',
  'crashIf',
);
