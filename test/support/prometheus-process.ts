import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './test-environment';
import { hasExited } from './child-exit';

/** Debian's `prometheus` package (`.ci/run` installs it). */
export const PROMETHEUS_BINARY = process.env.PROMETHEUS_BINARY ?? '/usr/bin/prometheus';

/** One series (or scalar) of an instant query's answer. */
export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** One rule as `GET /api/v1/rules` reports it. */
export interface PrometheusRuleStatus {
  name: string;
  query: string;
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  lastEvaluation: string;
}

/**
 * A real Prometheus server of the test's own, on a free port with a throwaway data directory,
 * scraping the given targets every second and evaluating the given rule files every second.
 */
export class PrometheusProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dataDir: string,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start(options: {
    targets: Record<string, string>;
    ruleFiles: string[];
  }): Promise<PrometheusProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'prometheus-e2e-'));
    const port = await freePort();
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: options.ruleFiles,
      scrape_configs: Object.entries(options.targets).map(([job, target]) => ({
        job_name: job,
        static_configs: [{ targets: [target] }],
      })),
    };
    // JSON is YAML: no YAML writer needed.
    await writeFile(join(dataDir, 'prometheus.yml'), JSON.stringify(config));
    const child = spawn(
      PROMETHEUS_BINARY,
      [
        `--config.file=${join(dataDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dataDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const prometheus = new PrometheusProcess(child, dataDir, `http://127.0.0.1:${port}`);
    await prometheus.waitUntilReady();
    return prometheus;
  }

  get logs(): string {
    return this.output;
  }

  /** An instant query's series; throws with Prometheus' own message when the expression is refused. */
  async query(expression: string): Promise<PrometheusSample[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: PrometheusSample[] };
    };
    if (body.status !== 'success') throw new Error(`${expression}: ${body.error ?? response.status}`);
    return body.data?.result ?? [];
  }

  async rules(): Promise<PrometheusRuleStatus[]> {
    const response = await fetch(`${this.url}/api/v1/rules`);
    const body = (await response.json()) as { data: { groups: { rules: PrometheusRuleStatus[] }[] } };
    return body.data.groups.flatMap((group) => group.rules);
  }

  async stop(): Promise<void> {
    if (!hasExited(this.child)) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (hasExited(this.child)) throw new Error(`prometheus exited:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`prometheus was not ready within 30 s:\n${this.output}`);
  }
}
