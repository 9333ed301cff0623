import type { ErrorKind } from '../agent-errors';

/** What the pool posts to a thread for one task. */
export interface CpuTaskRequest {
  modulePath: string;
  exportName: string;
  input: unknown;
}

/** What a thread answers: the output or the error as data, its run time and its heap after. */
export type CpuTaskReply = (
  { ok: true; output: unknown } | { ok: false; error: { kind: ErrorKind; name: string; message: string } }
) & { runMs: number; heapUsedBytes: number };

/**
 * What a thread posts once it has loaded and warmed its modules (each `warm()` settled), so the
 * pool can say when its first task would no longer wait behind that (piscina counts a thread of
 * its first set as ready before its modules are even loaded).
 */
export interface CpuThreadWarmed {
  cpuThreadWarmed: true;
}

export function isCpuThreadWarmed(message: unknown): message is CpuThreadWarmed {
  return (
    typeof message === 'object' && message !== null && (message as CpuThreadWarmed).cpuThreadWarmed === true
  );
}

/** `workerData` of every thread. */
export interface CpuThreadData {
  /** Module paths (no extension) to load, and `warm()`, when the thread starts. */
  warmModules: string[];
  /** Niceness the thread gives itself (Linux), so the event loop it serves comes first for the CPU. */
  niceness: number;
}
