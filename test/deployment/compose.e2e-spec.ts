import { ConfigurationError, loadConfig } from '@app/config';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_NAMES,
  APPS,
  DOCKER_DIR,
  interpolateCompose,
  knownVariables,
  readRepoFile,
  readYaml,
  REPO_ROOT,
} from './deployment-files';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  stop_grace_period?: string;
  restart?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** What the board must chart; test/prometheus.e2e-spec.ts checks that each expression returns data. */
const METRIC_NAMES = [
  'agent_executions_total',
  'agent_execution_duration_seconds',
  'agent_live_workers',
  'workflows_started_total',
  'workflows_finished_total',
  'workflow_step_retries_total',
  'workflow_steps_begun_total',
  'bullmq_job_count',
  'llm_tokens_total',
  'http_request_duration_seconds',
  'socket_connections',
  'socket_workflow_subscriptions',
  'socket_events_delivered_total',
  'nodejs_eventloop_lag_p99_seconds',
  'database_write_failures_total',
];

const compose = readYaml<ComposeFile>('docker/compose.yml');

/** The environment compose hands the container, with `${NAME:-default}` taken at its default. */
function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [
      name,
      interpolateCompose(String(value ?? '')),
    ]),
  );
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+)(s|m)$/.exec(duration ?? '');
  if (!match) throw new Error(`unreadable duration ${duration}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

const hasDockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

describe('docker/compose.yml', () => {
  (hasDockerCompose ? it : it.skip)(
    'passes `docker-compose config -q` (when docker-compose is installed)',
    () => {
      expect(() =>
        execFileSync('docker-compose', ['-f', join(DOCKER_DIR, 'compose.yml'), 'config', '-q'], {
          stdio: 'pipe',
        }),
      ).not.toThrow();
    },
  );

  it('gives every service an image or a build context that exists', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, hasSource: Boolean(service.image || service.build) }).toEqual({ name, hasSource: true });
      if (service.build) {
        const context = join(DOCKER_DIR, service.build.context);
        expect(context).toBe(REPO_ROOT);
        expect(existsSync(join(context, service.build.dockerfile ?? 'Dockerfile'))).toBe(true);
      }
    }
  });

  it('keeps Redis persistent (append-only, no eviction) and health-checked', () => {
    const redis = compose.services.redis;
    const command = ([] as string[]).concat(redis.command ?? []).join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.volumes?.some((volume) => volume.endsWith(':/data'))).toBe(true);
    expect(redis.healthcheck?.test).toBeDefined();
    expect(compose.services.postgres.healthcheck?.test).toBeDefined();
  });

  it('runs the migrations once, from the metrics image, after Redis and PostgreSQL are healthy', () => {
    const migrate = compose.services.migrate;
    expect(migrate.build?.target).toBe('metrics');
    expect(migrate.command).toEqual(['node', 'dist/apps/metrics/main.js', 'migrate']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toEqual({
      redis: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
  });

  describe.each(APP_NAMES)('%s', (name) => {
    const service = compose.services[name];
    const { port, requiredVariables } = APPS[name];

    it('builds its own Dockerfile target', () => {
      expect(service.build).toMatchObject({ dockerfile: 'docker/Dockerfile', target: name });
    });

    it('listens and publishes on its port', () => {
      expect(environmentOf(service).PORT).toBe(String(port));
      expect(service.ports).toEqual([`${port}:${port}`]);
    });

    it('sets the variables the app needs, all known to its configuration, and its validation accepts them', () => {
      const environment = environmentOf(service);
      const known = knownVariables();
      expect(Object.keys(environment).filter((variable) => !known.has(variable))).toEqual([]);
      for (const variable of requiredVariables) expect(environment).toHaveProperty(variable);
      expect(environment.RUN_MIGRATIONS).toBe('false');
      let error: unknown;
      try {
        loadConfig(APPS[name].schema, environment);
      } catch (thrown) {
        error = thrown;
      }
      expect(error instanceof ConfigurationError ? error.message : error).toBeUndefined();
    });

    it('starts after Redis and PostgreSQL are healthy and the migrations have completed', () => {
      expect(service.depends_on).toEqual({
        redis: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    });
  });

  it('shares one sites volume at SITES_DIR between the gateway and the orchestrator', () => {
    const mounts = (['gateway', 'orchestrator'] as const).map((name) => {
      const sitesDir = environmentOf(compose.services[name]).SITES_DIR;
      return compose.services[name].volumes
        ?.find((volume) => volume.split(':')[1] === sitesDir)
        ?.split(':')[0];
    });
    expect(mounts[0]).toBeDefined();
    expect(mounts[1]).toBe(mounts[0]);
    expect(compose.volumes).toHaveProperty(mounts[0] as string);
  });

  it('stops the orchestrator no sooner than a step in hand may take', () => {
    const orchestrator = compose.services.orchestrator;
    expect(seconds(orchestrator.stop_grace_period)).toBeGreaterThan(
      Number(environmentOf(orchestrator).AGENT_TIMEOUT_SECONDS),
    );
  });
});

describe('Prometheus and Grafana', () => {
  it('scrapes /metrics of all three apps on their ports', () => {
    const prometheus = readYaml<{
      scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[];
    }>('docker/prometheus/prometheus.yml');
    const targets = prometheus.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((config) =>
        config.targets.map((target) => `${target}${job.metrics_path ?? '/metrics'}`),
      ),
    );
    expect(targets.sort()).toEqual(APP_NAMES.map((name) => `${name}:${APPS[name].port}/metrics`).sort());
    expect(compose.services.prometheus.volumes).toContain(
      './prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it('loads the alert rules file it mounts', () => {
    const prometheus = readYaml<{ rule_files?: string[] }>('docker/prometheus/prometheus.yml');
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alert-rules.yml']);
    expect(compose.services.prometheus.volumes).toContain(
      './prometheus/alert-rules.yml:/etc/prometheus/alert-rules.yml:ro',
    );
  });

  it('provisions Grafana with the Prometheus datasource and the dashboards folder it mounts', () => {
    const datasources = readYaml<{ datasources: { type: string; url: string; uid: string }[] }>(
      'docker/grafana/provisioning/datasources/prometheus.yml',
    );
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = readYaml<{ providers: { options: { path: string } }[] }>(
      'docker/grafana/provisioning/dashboards/agent-orchestrator.yml',
    );
    const mounted = compose.services.grafana.volumes?.map((volume) => volume.split(':')[1]);
    expect(mounted).toContain(providers.providers[0].options.path);
    expect(mounted).toContain('/etc/grafana/provisioning');
  });

  it('charts every metric on the dashboard, from the datasource its variable picks (a Prometheus one)', () => {
    const files = readdirSync(join(DOCKER_DIR, 'grafana', 'dashboards')).filter((file) =>
      file.endsWith('.json'),
    );
    expect(files.length).toBeGreaterThan(0);
    const expressions: string[] = [];
    for (const file of files) {
      const dashboard = JSON.parse(readRepoFile(`docker/grafana/dashboards/${file}`)) as {
        uid: string;
        templating: { list: { name: string; type: string; query: unknown }[] };
        panels: { type: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
      };
      expect(dashboard.uid).toBeTruthy();
      expect(dashboard.templating.list).toContainEqual(
        expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
      );
      for (const panel of dashboard.panels.filter((candidate) => candidate.type !== 'row')) {
        expect(panel.datasource?.uid).toBe('${datasource}');
        expressions.push(...(panel.targets ?? []).map((target) => target.expr));
      }
    }
    const missing = METRIC_NAMES.filter(
      (metric) => !expressions.some((expression) => new RegExp(`\\b${metric}`).test(expression)),
    );
    expect(missing).toEqual([]);
  });
});
