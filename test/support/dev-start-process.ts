import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { readProcStat } from './proc-stat';
import { hasExited } from './child-exit';

const ROOT = resolve(__dirname, '../..');
/** How often the process tree is read while the script runs: often enough to see every child. */
const TREE_READ_INTERVAL_MS = 200;

/** A process of the machine, as /proc/<pid>/stat tells it. */
interface ProcessEntry {
  pid: number;
  parentPid: number;
  /** Clock ticks after boot: with the pid, names one process even once its pid is reused. */
  startTime: string;
}

/** A process the script started, directly or through its children. */
export interface Descendant {
  pid: number;
  startTime: string;
  commandLine: string;
}

function readEntry(pid: number): ProcessEntry | null {
  try {
    const { parentPid, startTime } = readProcStat(`/proc/${pid}/stat`);
    return { pid, parentPid, startTime };
  } catch {
    return null; // it ended meanwhile
  }
}

/** Still running, and not another process that was given the same pid since. */
function isRunning(descendant: Descendant): boolean {
  return readEntry(descendant.pid)?.startTime === descendant.startTime;
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '(ended)';
  }
}

/**
 * `node scripts/dev-start.mjs` (what `npm start` and `npm run demo` run) in a process group of its
 * own, as a terminal runs a foreground command, with its output kept and every process it starts
 * (the apps, redis-server, PostgreSQL) followed through /proc, so that a test can tell which of
 * them outlive it.
 */
export class DevStartProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stdout = '';
  private stderr = '';
  /** By pid and start time: a short-lived child's pid may be reused by a later one. */
  private readonly descendants = new Map<string, Descendant>();
  private readonly treeTimer: NodeJS.Timeout;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, [resolve(ROOT, 'scripts/dev-start.mjs'), ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.treeTimer = setInterval(() => this.readTree(), TREE_READ_INTERVAL_MS);
    this.exited = new Promise((resolveExit) =>
      this.child.once('exit', (code, signal) => {
        clearInterval(this.treeTimer);
        resolveExit({ code, signal });
      }),
    );
  }

  /** What it printed so far, both streams. */
  get output(): string {
    return `${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  /** Resolves once stdout holds `text`; fails if the script exits first or the time runs out. */
  async waitForOutput(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdout.includes(text)) {
      if (hasExited(this.child))
        throw new Error(`dev-start exited before printing "${text}":\n${this.output}`);
      if (Date.now() > deadline)
        throw new Error(`dev-start did not print "${text}" within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  }

  /** A signal to the script alone, as an IDE's stop button or `kill` sends it. */
  signalScript(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** A signal to its whole process group, as a terminal's Ctrl-C sends SIGINT. */
  signalGroup(signal: NodeJS.Signals): void {
    process.kill(-this.child.pid!, signal);
  }

  /** The processes it started that are still running after `graceMs`. */
  async survivors(graceMs: number): Promise<Descendant[]> {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const alive = [...this.descendants.values()].filter(isRunning);
      if (alive.length === 0 || Date.now() > deadline) return alive;
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  }

  /** Everything it started, in the order first seen. */
  get started(): Descendant[] {
    return [...this.descendants.values()];
  }

  /** Ends what is left (after a failed test): the script's group, then each process it started. */
  killAll(): void {
    clearInterval(this.treeTimer);
    const kill = (pid: number) => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    kill(-this.child.pid!);
    for (const descendant of this.descendants.values()) if (isRunning(descendant)) kill(descendant.pid);
  }

  /** Adds every process whose chain of parents leads to the script. */
  private readTree(): void {
    const entries = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => readEntry(Number(name)))
      .filter((entry): entry is ProcessEntry => entry !== null);
    const children = new Map<number, ProcessEntry[]>();
    for (const entry of entries)
      children.set(entry.parentPid, [...(children.get(entry.parentPid) ?? []), entry]);
    const pending = [...(children.get(this.child.pid!) ?? [])];
    while (pending.length > 0) {
      const entry = pending.pop()!;
      const key = `${entry.pid}:${entry.startTime}`;
      if (!this.descendants.has(key))
        this.descendants.set(key, {
          pid: entry.pid,
          startTime: entry.startTime,
          commandLine: commandLineOf(entry.pid),
        });
      pending.push(...(children.get(entry.pid) ?? []));
    }
  }
}
