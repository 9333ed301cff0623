import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { WorkflowState, WorkflowStatus } from '@app/contracts';
import { readYaml, readRepoFile } from './deployment/deployment-files';
import { ApiClient } from './support/api-client';
import { AppProcess } from './support/app-process';
import { PrometheusProcess } from './support/prometheus-process';
import { TEST_ADMIN_KEY, TestNamespace, freePort } from './support/test-environment';
import { waitFor } from './support/wait-for';
import { WorkflowClient } from './support/workflow-client';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');
const RULES_FILE = 'docker/prometheus/alert-rules.yml';
const PROMETHEUS_RULE = 'docker/k8s/components/prometheus-operator/prometheus-rule.yaml';
const BOARD = 'docker/grafana/dashboards/agent-orchestrator.json';

interface RuleGroups {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}
interface BoardPanel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  panels?: BoardPanel[];
}

/**
 * The board's expressions as Grafana sends them: its variables replaced by what a person would pick
 * (every agent) and the rate window by one that spans several of this test's 1 s scrapes.
 */
function boardExpressions(): { panel: string; expression: string }[] {
  const board = JSON.parse(readRepoFile(BOARD)) as { panels: BoardPanel[] };
  const panels = board.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      expression: target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$agent', '.+'),
    })),
  );
}

/**
 * A real Prometheus scraping the gateway, the orchestrator and the metrics service while
 * workflows run (one completed, one retried, one failed, one cancelled): every expression of the
 * Grafana board returns data, every alert rule evaluates, and promtool accepts both rule files.
 */
describe('Prometheus scraping the three apps: the board and the alert rules', () => {
  const namespace = new TestNamespace();
  let apps: AppProcess[] = [];
  /** The gateway serves /metrics on a port of its own, as in Kubernetes (METRICS_PORT). */
  let gatewayMetricsPort: number;
  let prometheus: PrometheusProcess;
  let api: ApiClient;
  let client: WorkflowClient;

  const statusOf = async (workflowId: string) =>
    (await api.json<WorkflowState>(`/workflows/${workflowId}`)).status;
  const until = (workflowId: string, status: WorkflowStatus) =>
    waitFor(
      async () => ((await statusOf(workflowId)) === status ? true : undefined),
      `workflow ${workflowId} ${status}`,
      60_000,
    );

  beforeAll(async () => {
    await namespace.prepare();
    const env = namespace.env({ AGENT_MODULES: 'test/support/test-agents.ts' });
    gatewayMetricsPort = await freePort();
    const gateway = await AppProcess.start('gateway', { ...env, METRICS_PORT: String(gatewayMetricsPort) });
    apps = [
      gateway,
      ...(await AppProcess.startAll(['orchestrator', 'metrics'], env).catch(async (error) => {
        await gateway.stop();
        throw error;
      })),
    ];
    prometheus = await PrometheusProcess.start({
      targets: Object.fromEntries(
        apps.map((app) => [app.name, `127.0.0.1:${app.name === 'gateway' ? gatewayMetricsPort : app.port}`]),
      ),
      ruleFiles: [join(ROOT, RULES_FILE)],
    });
    api = new ApiClient(apps[0].url, TEST_ADMIN_KEY);
    client = new WorkflowClient(apps[0].url);
    await client.connected();

    await api.defineWorkflow('METRICS_CHAIN', [
      { id: 'a', agent: 'test-echo' },
      { id: 'b', agent: 'test-flaky', dependsOn: ['a'] },
    ]);
    await api.defineWorkflow('METRICS_REJECTED', [{ id: 'check', agent: 'test-invalid' }]);
    await api.defineWorkflow('METRICS_WAIT', [{ id: 'wait', agent: 'test-wait' }]);
    const completed = await api.startWorkflow({
      type: 'METRICS_CHAIN',
      input: { llmModel: 'test-model' },
      sessionId: 'prometheus',
    });
    await client.socket.emitWithAck('workflow.subscribe', { workflowId: completed });
    const failed = await api.startWorkflow({ type: 'METRICS_REJECTED', input: {}, sessionId: 'prometheus' });
    const cancelled = await api.startWorkflow({ type: 'METRICS_WAIT', input: {}, sessionId: 'prometheus' });
    await until(cancelled, WorkflowStatus.Running);
    expect((await api.post(`/workflows/${cancelled}/cancel`)).status).toBeLessThan(300);
    // A refused request, so that the board's error panel has a 4xx to show.
    expect((await api.as(null).get('/workflows')).status).toBe(401);
    await Promise.all([
      until(completed, WorkflowStatus.Completed),
      until(failed, WorkflowStatus.Failed),
      until(cancelled, WorkflowStatus.Cancelled),
    ]);
  }, 180_000);

  afterAll(async () => {
    client?.close();
    await prometheus?.stop();
    await Promise.all(apps.map((app) => app.stop()));
    await namespace.dispose();
  });

  it('scrapes all three apps', async () => {
    const up = await waitFor(async () => {
      const samples = await prometheus.query('up == 1');
      return samples.length === 3 ? samples : undefined;
    }, 'three targets up');
    expect(up.map((sample) => sample.metric.job).sort()).toEqual(['gateway', 'metrics', 'orchestrator']);
  });

  it('serves the gateway’s /metrics only on METRICS_PORT, not on the port its Ingress exposes', async () => {
    expect((await fetch(`${apps[0].url}/metrics`)).status).toBe(404);
    const response = await fetch(`http://127.0.0.1:${gatewayMetricsPort}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^http_request_duration_seconds_count\{/m);
    expect((await fetch(`http://127.0.0.1:${gatewayMetricsPort}/workflows`)).status).toBe(404);
  });

  it('labels gateway requests by route template, never by raw path', async () => {
    const routes = await waitFor(async () => {
      const samples = await prometheus.query('sum by (route) (http_request_duration_seconds_count)');
      const found = samples.map((sample) => sample.metric.route);
      return found.includes('/workflows/:id') ? found : undefined;
    }, 'the requests of GET /workflows/:id');
    expect(routes.filter((route) => /[0-9a-f]{8}-[0-9a-f]{4}-/.test(route))).toEqual([]);
  });

  it('counts each workflow once, by how it ended, CANCELLED included', async () => {
    const finished = async (status: string) =>
      Number((await prometheus.query(`sum(workflows_finished_total{status="${status}"})`))[0]?.value[1] ?? 0);
    await waitFor(
      async () => ((await finished('CANCELLED')) >= 1 && (await finished('FAILED')) >= 1 ? true : undefined),
      'the finished workflows scraped',
    );
    expect(await finished('COMPLETED')).toBe(1);
    expect(await finished('FAILED')).toBe(1);
    expect(await finished('CANCELLED')).toBe(1);
    expect(Number((await prometheus.query('sum(workflows_started_total)'))[0].value[1])).toBe(3);
  });

  it('counts the LLM calls and tokens an agent reports, by agent and model', async () => {
    const tokens = await waitFor(async () => {
      const samples = await prometheus.query(
        'sum by (agent, model, kind) (llm_tokens_total{agent="test-echo", model="test-model"})',
      );
      return samples.length === 2 ? samples : undefined;
    }, 'the LLM tokens scraped');
    expect(Object.fromEntries(tokens.map((sample) => [sample.metric.kind, Number(sample.value[1])]))).toEqual(
      {
        prompt: 3,
        completion: 2,
      },
    );
    const [calls] = await prometheus.query(
      'sum(llm_calls_total{agent="test-echo", model="test-model", outcome="ok"})',
    );
    expect(Number(calls.value[1])).toBe(1);
  });

  it('answers every expression of the Grafana board with data', async () => {
    const expressions = boardExpressions();
    expect(expressions.length).toBeGreaterThan(15);
    const empty: string[] = [];
    for (const { panel, expression } of expressions) {
      // Each figure appears within a few scrapes; the expression must be valid at once.
      const samples = await waitFor(
        async () => {
          const found = await prometheus.query(expression);
          return found.length > 0 ? found : undefined;
        },
        `${panel}: ${expression}`,
        15_000,
      ).catch(() => []);
      if (samples.length === 0) empty.push(`${panel}: ${expression}`);
    }
    expect(empty).toEqual([]);
  }, 300_000);

  it('evaluates every alert and recording rule without error', async () => {
    const alerts = readYaml<RuleGroups>(RULES_FILE).groups.flatMap((group) => group.rules);
    const evaluated = await waitFor(async () => {
      const rules = await prometheus.rules();
      return rules.length === alerts.length && rules.every((rule) => rule.health !== 'unknown')
        ? rules
        : undefined;
    }, 'every rule evaluated once');
    expect(evaluated.filter((rule) => rule.health !== 'ok')).toEqual([]);
    for (const alert of alerts) await expect(prometheus.query(alert.expr)).resolves.toBeDefined();
    // The seed's names, kept as recording rules, answer per agent.
    const recorded = await waitFor(async () => {
      const samples = await prometheus.query('agent_execution_count{agent="test-flaky"}');
      return samples.length > 0 ? samples : undefined;
    }, 'agent_execution_count recorded');
    expect(Number(recorded[0].value[1])).toBe(3);
  });

  it('has rule files promtool accepts, the PrometheusRule holding the same groups as the compose file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'promtool-'));
    try {
      const operatorRules = join(directory, 'prometheus-rule-groups.yml');
      const rule = readYaml<{ kind: string; spec: RuleGroups }>(PROMETHEUS_RULE);
      expect(rule.kind).toBe('PrometheusRule');
      expect(rule.spec).toEqual(readYaml<RuleGroups>(RULES_FILE));
      await writeFile(operatorRules, JSON.stringify(rule.spec));
      const { stdout } = await run('promtool', ['check', 'rules', join(ROOT, RULES_FILE), operatorRules]);
      expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
