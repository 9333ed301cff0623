import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readProcStat } from '../../test/support/proc-stat';

/** The kernel's clock ticks per second, the unit of /proc's CPU times. */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time spent so far, in ms: by each named process (all its threads) and by the whole machine. */
export interface CpuReading {
  processMs: Record<string, number>;
  /** The main thread alone (the event loop), of the processes asked for. */
  mainThreadMs: Record<string, number>;
  machineBusyMs: number;
  machineTotalMs: number;
}

/** What a piece of work cost between two readings, in ms. */
export interface CpuSpent {
  processMs: Record<string, number>;
  mainThreadMs: Record<string, number>;
  /** Busy time of every core together (2 cores busy for 1 s read 2,000). */
  machineBusyMs: number;
  /** What all cores could give over the same time. */
  machineTotalMs: number;
}

const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

/** The machine's busy and total ticks over all cores, from /proc/stat's first line (iowait counts as idle). */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Reads where a load's CPU goes: per process and for the whole machine, so that a benchmark on a
 * shared machine can say which process bounds it and how much is left to everything else (the
 * database, the load client, the OS).
 */
export class CpuReader {
  constructor(
    private readonly pids: Record<string, number>,
    /** Processes (of `pids`) whose main thread is read on its own too. */
    private readonly mainThreadsOf: readonly string[] = [],
  ) {}

  now(): CpuReading {
    const read = (statPath: string) => {
      try {
        return ticksToMs(readProcStat(statPath).cpuTicks);
      } catch {
        return NaN;
      }
    };
    const processMs: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) processMs[name] = read(`/proc/${pid}/stat`);
    const mainThreadMs: Record<string, number> = {};
    for (const name of this.mainThreadsOf) {
      const pid = this.pids[name];
      // A process's main thread has its pid as its thread id.
      mainThreadMs[name] = read(`/proc/${pid}/task/${pid}/stat`);
    }
    const machine = machineTicks();
    return {
      processMs,
      mainThreadMs,
      machineBusyMs: ticksToMs(machine.busy),
      machineTotalMs: ticksToMs(machine.total),
    };
  }

  static spent(from: CpuReading, to: CpuReading): CpuSpent {
    const difference = (field: 'processMs' | 'mainThreadMs') =>
      Object.fromEntries(Object.keys(from[field]).map((name) => [name, to[field][name] - from[field][name]]));
    return {
      processMs: difference('processMs'),
      mainThreadMs: difference('mainThreadMs'),
      machineBusyMs: to.machineBusyMs - from.machineBusyMs,
      machineTotalMs: to.machineTotalMs - from.machineTotalMs,
    };
  }

  /** Adds up several spans (the rounds of one configuration). */
  static sum(spans: CpuSpent[]): CpuSpent {
    const byName = (field: 'processMs' | 'mainThreadMs') => {
      const sums: Record<string, number> = {};
      for (const span of spans)
        for (const [name, ms] of Object.entries(span[field])) sums[name] = (sums[name] ?? 0) + ms;
      return sums;
    };
    const total = (field: 'machineBusyMs' | 'machineTotalMs') =>
      spans.reduce((sum, span) => sum + span[field], 0);
    return {
      processMs: byName('processMs'),
      mainThreadMs: byName('mainThreadMs'),
      machineBusyMs: total('machineBusyMs'),
      machineTotalMs: total('machineTotalMs'),
    };
  }
}
