import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The kernel's clock ticks per second, the unit of /proc's CPU times. */
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time spent so far, in ms: by each named process (all its threads) and by the whole machine. */
export interface CpuReading {
  processMs: Record<string, number>;
  machineBusyMs: number;
  machineTotalMs: number;
}

/** What a piece of work cost between two readings, in ms. */
export interface CpuSpent {
  processMs: Record<string, number>;
  /** Busy time of every core together (2 cores busy for 1 s read 2,000). */
  machineBusyMs: number;
  /** What all cores could give over the same time. */
  machineTotalMs: number;
}

const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

/** A process's user + system time (fields 14 and 15 of /proc/PID/stat, after the parenthesised name). */
function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

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
  constructor(private readonly pids: Record<string, number>) {}

  now(): CpuReading {
    const processMs: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      try {
        processMs[name] = ticksToMs(processTicks(pid));
      } catch {
        processMs[name] = NaN;
      }
    }
    const machine = machineTicks();
    return { processMs, machineBusyMs: ticksToMs(machine.busy), machineTotalMs: ticksToMs(machine.total) };
  }

  static spent(from: CpuReading, to: CpuReading): CpuSpent {
    const processMs: Record<string, number> = {};
    for (const name of Object.keys(from.processMs))
      processMs[name] = to.processMs[name] - from.processMs[name];
    return {
      processMs,
      machineBusyMs: to.machineBusyMs - from.machineBusyMs,
      machineTotalMs: to.machineTotalMs - from.machineTotalMs,
    };
  }

  /** Adds up several spans (the rounds of one configuration). */
  static sum(spans: CpuSpent[]): CpuSpent {
    const processMs: Record<string, number> = {};
    for (const span of spans)
      for (const [name, ms] of Object.entries(span.processMs)) processMs[name] = (processMs[name] ?? 0) + ms;
    const total = (field: 'machineBusyMs' | 'machineTotalMs') =>
      spans.reduce((sum, span) => sum + span[field], 0);
    return { processMs, machineBusyMs: total('machineBusyMs'), machineTotalMs: total('machineTotalMs') };
  }
}
