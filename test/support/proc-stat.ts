import { readFileSync } from 'node:fs';

/** What the tests and benches read of a process or thread from its /proc stat file. */
export interface ProcStat {
  parentPid: number;
  /** User + system time, in clock ticks. */
  cpuTicks: number;
  /** Clock ticks after boot: with the pid, names one process even once its pid is reused. */
  startTime: string;
}

/**
 * Reads /proc/PID/stat, or a thread's /proc/PID/task/TID/stat. The fields are counted after the
 * parenthesised command name, which may hold spaces: state, ppid, ..., utime and stime (14th and
 * 15th of the file), ..., starttime (22nd). Throws when the process has ended.
 */
export function readProcStat(statPath: string): ProcStat {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    parentPid: Number(fields[1]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
    startTime: fields[19],
  };
}
