import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppName, REPO_ROOT } from '../../test/deployment/deployment-files';
import { run, startBuiltApp } from '../../test/deployment/production-build';
import { AppProcess } from '../../test/support/app-process';
import { TestNamespace } from '../../test/support/test-environment';

export const STACK_APPS: readonly AppName[] = ['gateway', 'orchestrator', 'metrics'];

/** pino's numeric levels: warn, error, fatal. */
const LOGGED_LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };
/** Distinct log messages kept per app to explain a run; the count goes on past this. */
const KEPT_MESSAGES = 20;

/** What an app wrote at warn level or above during a run. */
interface AppLogSummary {
  counts: Record<string, number>;
  /** Distinct messages (the first KEPT_MESSAGES), with how often each was seen. */
  messages: Map<string, number>;
}

let build: Promise<string> | undefined;

/**
 * The three apps as production runs them: each from its webpack bundle
 * (`node dist/apps/<app>/main.js`, NODE_ENV=production) in its own process, in a private Redis
 * prefix and PostgreSQL schema with a temporary sites folder, all removed by `stop`.
 */
export class StackProcesses {
  private readonly logSummaries = new Map<AppName, AppLogSummary>();
  private readonly unexpectedExits: { name: AppName; message: string }[] = [];
  private isStopping = false;

  private constructor(
    readonly apps: Record<AppName, AppProcess>,
    private readonly namespace: TestNamespace,
    private readonly sitesDir: string,
  ) {
    for (const name of STACK_APPS) {
      const summary: AppLogSummary = { counts: {}, messages: new Map() };
      this.logSummaries.set(name, summary);
      this.countLogLines(apps[name], summary);
      apps[name].child.once('exit', (code, signal) => {
        if (!this.isStopping)
          this.unexpectedExits.push({ name, message: `${name} exited (${code ?? signal})` });
      });
    }
  }

  /** `npm run build`, once per bench process, so that the bundles are those of the working tree. */
  static build(): Promise<string> {
    build ??= run('npm', ['run', 'build'], REPO_ROOT);
    return build;
  }

  /** Starts the three apps in a fresh namespace with `env` on top of the defaults; waits until all are healthy. */
  static async start({ env = {} }: { env?: Record<string, string> } = {}): Promise<StackProcesses> {
    const namespace = await new TestNamespace().prepare();
    const sitesDir = await mkdtemp(join(tmpdir(), 'stack-bench-sites-'));
    const appEnv = namespace.env({
      SITES_DIR: sitesDir,
      // The bench is one API key driving thousands of workflows: not what the limit is for.
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...env,
    });
    const started: AppProcess[] = [];
    try {
      for (const name of STACK_APPS) started.push(await startBuiltApp(REPO_ROOT, name, appEnv));
      await Promise.all(started.map((app) => app.waitUntilHealthy()));
    } catch (error) {
      await Promise.all(started.map((app) => app.stop()));
      await namespace.dispose();
      await rm(sitesDir, { recursive: true, force: true });
      throw error;
    }
    const [gateway, orchestrator, metrics] = started;
    return new StackProcesses({ gateway, orchestrator, metrics }, namespace, sitesDir);
  }

  get gatewayUrl(): string {
    return this.apps.gateway.url;
  }

  /** Process ids, for reading each app's memory from /proc. */
  get pids(): Record<AppName, number> {
    const pid = (name: AppName) => this.apps[name].child.pid ?? 0;
    return { gateway: pid('gateway'), orchestrator: pid('orchestrator'), metrics: pid('metrics') };
  }

  /** Throws with the app's last output if any app has ended on its own. */
  assertRunning(): void {
    const [first] = this.unexpectedExits;
    if (first) throw new Error(`${first.message}:\n${this.apps[first.name].logs}`);
  }

  /** What the apps logged at warn and above, as lines to print: a problem shows here before it shows in a figure. */
  logReport(): string[] {
    return STACK_APPS.flatMap((name) => {
      const { counts, messages } = this.logSummaries.get(name)!;
      if (Object.keys(counts).length === 0) return [`${name} logged nothing at warn or above`];
      return [
        `${name} logged ${JSON.stringify(counts)}; first distinct messages:`,
        ...[...messages].map(([message, count]) => `  x${count} ${message}`),
      ];
    });
  }

  /** Stops the apps (SIGTERM, as production does) and removes the namespace and sites; reports an unclean exit. */
  async stop(): Promise<string[]> {
    this.isStopping = true;
    const problems = this.unexpectedExits.map((exit) => exit.message);
    try {
      const exits = await Promise.all(STACK_APPS.map((name) => this.apps[name].stop()));
      exits.forEach((exit, index) => {
        if (exit.isKilled || (exit.code !== 0 && exit.signal !== 'SIGTERM'))
          problems.push(`${STACK_APPS[index]} did not stop cleanly: ${JSON.stringify(exit)}`);
      });
    } finally {
      await this.namespace.dispose();
      await rm(this.sitesDir, { recursive: true, force: true });
    }
    return problems;
  }

  private countLogLines(app: AppProcess, summary: AppLogSummary): void {
    let partial = '';
    const read = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const entry = parseLogLine(line);
        if (!entry) continue;
        summary.counts[entry.level] = (summary.counts[entry.level] ?? 0) + 1;
        const seen = summary.messages.get(entry.message);
        if (seen !== undefined) summary.messages.set(entry.message, seen + 1);
        else if (summary.messages.size < KEPT_MESSAGES) summary.messages.set(entry.message, 1);
      }
    };
    app.child.stdout?.on('data', read);
    app.child.stderr?.on('data', read);
  }
}

/** Workflow ids (in job ids too) as one placeholder, so that repeats of one message group together. */
const WORKFLOW_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A pino line at warn or above as level and message; null for lower levels and blank lines. */
function parseLogLine(line: string): { level: string; message: string } | null {
  if (!line.trim()) return null;
  const shorten = (text: string) => text.replace(WORKFLOW_ID, '<id>').slice(0, 300);
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; context?: string };
    const level = LOGGED_LEVELS[entry.level ?? 0];
    if (!level) return null;
    return {
      level,
      message: shorten(`${entry.context ? `[${entry.context}] ` : ''}${String(entry.msg ?? '')}`),
    };
  } catch {
    // Not pino: a crash trace or Node's own warning, which is worth seeing.
    return { level: 'stderr', message: shorten(line) };
  }
}
