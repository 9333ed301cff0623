import 'reflect-metadata';
import { WorkflowState } from '@app/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../test/support/api-client';
import { TEST_ADMIN_KEY } from '../test/support/test-environment';
import { BenchRow, percentile, row } from './bench-row';
import { criticalPathMs } from './support/critical-path';
import { EventLoopLagScraper } from './support/event-loop-lag-scraper';
import { RssSample, RssSampler } from './support/rss-sampler';
import { SiteLoad, WorkflowOutcome } from './support/site-load';
import { STACK_APPS, StackProcesses } from './support/stack-processes';

const BENCHMARK = 'stack (CREATE_SITE, 3 production processes)';
const RSS_INTERVAL_MS = 250;
const LAG_SCRAPE_INTERVAL_MS = 1000;
/** How long after a load its memory is read again: long enough for a collection, as a quiet minute would see. */
const SETTLE_MS = 10_000;
/** Workflows run before the first level, so that it measures warm processes (JIT, agents' lazy loading). */
const WARM_UP_WORKFLOWS = 4;
/** The drift figures compare this many workflows at the start of the long level with as many at its end. */
const DRIFT_WINDOW = 100;
const LAG_BUDGET_MS = 50;
const MAX_FAILURES_PRINTED = 20;

interface Level {
  inFlight: number;
  workflows: number;
}

interface Configuration {
  name: 'pool' | 'inline';
  description: string;
  env: Record<string, string>;
  levels: Level[];
}

/** Agent time against wall time over the workflows of one level (ms, means). */
interface Overhead {
  clientWallMs: number;
  serverWallMs: number;
  criticalPathMs: number;
}

interface LevelResult {
  configuration: Configuration['name'];
  level: Level;
  outcomes: WorkflowOutcome[];
  failures: WorkflowOutcome[];
  workflowsPerSecond: number;
  /** From the start's ack to the terminal event, of completed workflows, sorted. */
  latenciesMs: number[];
  /** From sending `workflow.start` to its ack, sorted. */
  ackLatenciesMs: number[];
  rssStart: RssSample;
  rssAfter: RssSample;
  sampler: RssSampler;
  lagP99sMs: number[];
  overhead: Overhead | null;
}

function workflowsAt(variable: string, fallback: number): number {
  const value = Number(process.env[variable]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const CONFIGURATIONS: Configuration[] = [
  {
    name: 'pool',
    description: 'pool (default)',
    env: {},
    levels: [
      { inFlight: 1, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_1', 20) },
      { inFlight: 10, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_10', 150) },
      { inFlight: 20, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_20', 1000) },
      { inFlight: 50, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_50', 150) },
    ],
  },
  {
    name: 'inline',
    description: 'inline (CPU_POOL_THREADS=0)',
    // Agents' CPU work on the orchestrator's event loop, as before the pool.
    env: { CPU_POOL_THREADS: '0' },
    levels: [
      { inFlight: 1, workflows: workflowsAt('STACK_BENCH_INLINE_WORKFLOWS_AT_1', 20) },
      { inFlight: 20, workflows: workflowsAt('STACK_BENCH_INLINE_WORKFLOWS_AT_20', 200) },
    ],
  },
];

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Wall time against the critical path of agent time, from each completed workflow's state. */
async function measureOverhead({
  api,
  outcomes,
}: {
  api: ApiClient;
  outcomes: WorkflowOutcome[];
}): Promise<Overhead> {
  const figures: Overhead[] = [];
  for (const outcome of outcomes) {
    if (!outcome.isCompleted || !outcome.workflowId) continue;
    const state = await api.json<WorkflowState>(`/workflows/${outcome.workflowId}`);
    figures.push({
      clientWallMs: outcome.finishedAt - outcome.sentAt,
      serverWallMs: state.metrics.totalDurationMs ?? NaN,
      criticalPathMs: criticalPathMs({
        steps: state.steps,
        agentDurationsMs: state.metrics.agentDurationsMs,
      }),
    });
  }
  return {
    clientWallMs: mean(figures.map((figure) => figure.clientWallMs)),
    serverWallMs: mean(figures.map((figure) => figure.serverWallMs)),
    criticalPathMs: mean(figures.map((figure) => figure.criticalPathMs)),
  };
}

async function runLevel({
  stack,
  configuration,
  level,
}: {
  stack: StackProcesses;
  configuration: Configuration;
  level: Level;
}): Promise<LevelResult> {
  stack.assertRunning();
  const label = `${configuration.name}, ${level.inFlight} in flight`;
  const rssStart = new RssSampler(stack.pids).now();
  const load = await SiteLoad.connect({ gatewayUrl: stack.gatewayUrl, inFlight: level.inFlight });
  const sampler = new RssSampler(stack.pids).start({ intervalMs: RSS_INTERVAL_MS });
  const lag = await new EventLoopLagScraper(`${stack.apps.orchestrator.url}/metrics`).start({
    intervalMs: LAG_SCRAPE_INTERVAL_MS,
  });
  const begin = performance.now();
  const progressEvery = Math.max(50, Math.ceil(level.workflows / 10));
  let done = 0;
  let failed = 0;
  let outcomes: WorkflowOutcome[];
  try {
    outcomes = await load.run({
      workflows: level.workflows,
      onOutcome: (outcome) => {
        done += 1;
        if (outcome.failure) {
          failed += 1;
          if (failed <= MAX_FAILURES_PRINTED)
            log(`  FAILED ${label}: workflow ${outcome.workflowId ?? '(none)'}: ${outcome.failure}`);
        }
        if (done % progressEvery === 0 && done < level.workflows)
          log(
            `  ${label}: ${done}/${level.workflows} ended, ` +
              `${(done / ((performance.now() - begin) / 1000)).toFixed(2)} workflows/s, ${failed} failed`,
          );
      },
    });
  } finally {
    sampler.stop();
    await lag.stop();
    load.close();
  }
  // The load's end is its last workflow's, not the last scrape's.
  const end = Math.max(begin, ...outcomes.map((outcome) => outcome.finishedAt));
  stack.assertRunning();
  if (lag.failures.length > 0)
    log(
      `  ${label}: ${lag.failures.length} scrapes of the orchestrator's metrics failed: ${lag.failures[0]}`,
    );
  const completed = outcomes.filter((outcome) => outcome.isCompleted);
  const overhead =
    level.inFlight === 1
      ? await measureOverhead({ api: new ApiClient(stack.gatewayUrl, TEST_ADMIN_KEY), outcomes })
      : null;
  await sleep(SETTLE_MS);
  return {
    configuration: configuration.name,
    level,
    outcomes,
    failures: outcomes.filter((outcome) => !outcome.isCompleted),
    workflowsPerSecond: completed.length / ((end - begin) / 1000),
    latenciesMs: sorted(completed.map((outcome) => outcome.finishedAt - outcome.ackAt)),
    ackLatenciesMs: sorted(completed.map((outcome) => outcome.ackAt - outcome.sentAt)),
    rssStart,
    rssAfter: sampler.now(),
    sampler,
    lagP99sMs: sorted(lag.intervalP99sMs),
    overhead,
  };
}

const TABLE_HEADER =
  'config  in flight  workflows  failed  workflows/s  p50 s  p95 s  p99 s  lag p99/max ms  ' +
  STACK_APPS.map((name) => `${name} MB start/peak/after`).join('  ');

function tableLine(result: LevelResult): string {
  const seconds = (p: number) => (percentile(result.latenciesMs, p) / 1000).toFixed(1).padStart(5);
  const rss = STACK_APPS.map((name) =>
    [result.rssStart.rssMb[name], result.sampler.peak({ name }), result.rssAfter.rssMb[name]]
      .map((value) => value.toFixed(0))
      .join('/')
      .padEnd(`${name} MB start/peak/after`.length),
  );
  return [
    result.configuration.padEnd(6),
    String(result.level.inFlight).padStart(9),
    String(result.outcomes.length).padStart(9),
    String(result.failures.length).padStart(6),
    result.workflowsPerSecond.toFixed(2).padStart(11),
    seconds(50),
    seconds(95),
    seconds(99),
    `${percentile(result.lagP99sMs, 99).toFixed(0)}/${Math.max(...result.lagP99sMs).toFixed(0)}`.padStart(14),
    ...rss,
  ].join('  ');
}

/**
 * Throughput and time over the first and last DRIFT_WINDOW workflows of a level, both measured
 * while the loop is full: from the first completion to the DRIFT_WINDOW-th after it, and over the
 * DRIFT_WINDOW completions before the loop stopped starting workflows (the last `inFlight` end
 * with the loop draining, which says nothing about drift).
 */
function drift(result: LevelResult): {
  /** False when the level ended too few workflows for the two windows (they may overlap, not more). */
  hasWindows: boolean;
  firstWorkflowsPerSecond: number;
  lastWorkflowsPerSecond: number;
  firstWindowEnd: number;
} {
  const ends = result.outcomes.map((outcome) => outcome.finishedAt);
  const rate = (from: number, to: number) =>
    from >= 0 && to < ends.length && to > from ? (to - from) / ((ends[to] - ends[from]) / 1000) : NaN;
  const lastIndex = ends.length - result.level.inFlight;
  return {
    hasWindows: lastIndex - DRIFT_WINDOW >= 1,
    firstWorkflowsPerSecond: rate(0, DRIFT_WINDOW),
    lastWorkflowsPerSecond: rate(lastIndex - DRIFT_WINDOW, lastIndex),
    firstWindowEnd: ends[Math.min(DRIFT_WINDOW, ends.length) - 1],
  };
}

function rowsOf({ pool, inline }: { pool: LevelResult[]; inline: LevelResult[] }): BenchRow[] {
  const at = (results: LevelResult[], inFlight: number) => {
    const found = results.find((result) => result.level.inFlight === inFlight);
    if (!found) throw new Error(`no result at ${inFlight} in flight`);
    return found;
  };
  const poolAt20 = at(pool, 20);
  const inlineAt20 = at(inline, 20);
  const poolAt1 = at(pool, 1);
  const poolDrift = drift(poolAt20);
  const overhead = poolAt1.overhead!;
  const common = { benchmark: BENCHMARK };
  const info = (metric: string, unit: string, ours: number): BenchRow =>
    row({ ...common, metric, unit, ours, baseline: null, baselineName: null, target: null });

  const rows: BenchRow[] = [
    row({
      ...common,
      metric: 'throughput, 20 in flight, pool',
      unit: 'workflows/s',
      ours: poolAt20.workflowsPerSecond,
      baseline: inlineAt20.workflowsPerSecond,
      baselineName: 'inline',
      target: '>= 1.5',
    }),
    row({
      ...common,
      metric: 'latency p99, 20 in flight, pool',
      unit: 'ms',
      ours: percentile(poolAt20.latenciesMs, 99),
      baseline: percentile(inlineAt20.latenciesMs, 99),
      baselineName: 'inline',
      target: '<= 0.6',
    }),
    row({
      ...common,
      metric: 'orchestrator event-loop lag p99 (of 1 s p99s), 20 in flight, pool',
      unit: 'ms',
      ours: percentile(poolAt20.lagP99sMs, 99),
      baseline: LAG_BUDGET_MS,
      baselineName: 'budget',
      target: '<= 1.0',
    }),
    row({
      ...common,
      metric: 'orchestration overhead (wall - agent critical path), 1 in flight, pool',
      unit: 'ms',
      ours: overhead.clientWallMs - overhead.criticalPathMs,
      baseline: overhead.clientWallMs,
      baselineName: 'wall time',
      target: '<= 0.05',
    }),
    row({
      ...common,
      metric: 'engine overhead (server wall - agent critical path), 1 in flight, pool',
      unit: 'ms',
      ours: overhead.serverWallMs - overhead.criticalPathMs,
      baseline: overhead.serverWallMs,
      baselineName: 'server wall',
      target: null,
    }),
  ];
  if (poolDrift.hasWindows)
    rows.push(
      row({
        ...common,
        metric: `orchestrator peak RSS over ${poolAt20.outcomes.length} workflows, 20 in flight, pool`,
        unit: 'MB',
        ours: poolAt20.sampler.peak({ name: 'orchestrator' }),
        baseline: poolAt20.sampler.peak({ name: 'orchestrator', to: poolDrift.firstWindowEnd }),
        baselineName: `first ${DRIFT_WINDOW}`,
        target: '<= 1.2',
      }),
      row({
        ...common,
        metric: `throughput over the last ${DRIFT_WINDOW} of ${poolAt20.outcomes.length}, 20 in flight, pool`,
        unit: 'workflows/s',
        ours: poolDrift.lastWorkflowsPerSecond,
        baseline: poolDrift.firstWorkflowsPerSecond,
        baselineName: `first ${DRIFT_WINDOW}`,
        target: '>= 0.9',
      }),
    );
  else
    log(
      `too few workflows at 20 in flight (${poolAt20.outcomes.length}) for the drift rows: ` +
        `they need at least ${DRIFT_WINDOW + 21}`,
    );
  const inlineAt1 = inline.find((result) => result.level.inFlight === 1)?.overhead;
  if (inlineAt1)
    rows.push(
      row({
        ...common,
        metric: 'orchestration overhead (wall - agent critical path), 1 in flight, inline',
        unit: 'ms',
        ours: inlineAt1.clientWallMs - inlineAt1.criticalPathMs,
        baseline: inlineAt1.clientWallMs,
        baselineName: 'wall time',
        target: null,
      }),
    );

  for (const result of [...pool, ...inline]) {
    const where = `${result.level.inFlight} in flight, ${result.configuration}`;
    rows.push(
      row({
        ...common,
        metric: `failures, ${where}`,
        unit: 'workflows',
        ours: result.failures.length,
        baseline: result.outcomes.length,
        baselineName: 'started',
        target: '<= 0',
      }),
      info(`throughput, ${where}`, 'workflows/s', result.workflowsPerSecond),
      info(`latency p50, ${where}`, 'ms', percentile(result.latenciesMs, 50)),
      info(`latency p95, ${where}`, 'ms', percentile(result.latenciesMs, 95)),
      info(`latency p99, ${where}`, 'ms', percentile(result.latenciesMs, 99)),
      info(`start ack latency p99, ${where}`, 'ms', percentile(result.ackLatenciesMs, 99)),
      info(`orchestrator event-loop lag p99 (of 1 s p99s), ${where}`, 'ms', percentile(result.lagP99sMs, 99)),
      info(`orchestrator event-loop lag max (of 1 s p99s), ${where}`, 'ms', Math.max(...result.lagP99sMs)),
    );
    for (const name of STACK_APPS) {
      const start = result.rssStart.rssMb[name];
      const vsStart = { baseline: start, baselineName: 'at start', target: null };
      rows.push(
        row({
          ...common,
          ...vsStart,
          metric: `${name} RSS peak, ${where}`,
          unit: 'MB',
          ours: result.sampler.peak({ name }),
        }),
        row({
          ...common,
          ...vsStart,
          metric: `${name} RSS ${SETTLE_MS / 1000} s after, ${where}`,
          unit: 'MB',
          ours: result.rssAfter.rssMb[name],
        }),
      );
    }
  }
  return rows;
}

/**
 * The product's real workload on its production build: the three apps as separate processes,
 * CREATE_SITE workflows started and followed over Socket.IO by a closed loop at several depths,
 * with the orchestrator running agents' CPU work on its worker pool (default) and, for the
 * baseline, on its event loop (CPU_POOL_THREADS=0). Each configuration gets fresh processes and
 * a fresh namespace.
 */
export default async function stackBench(): Promise<BenchRow[]> {
  log('building the production bundles (npm run build)...');
  await StackProcesses.build();
  const results: Record<Configuration['name'], LevelResult[]> = { pool: [], inline: [] };
  for (const configuration of CONFIGURATIONS) {
    log(`starting gateway, orchestrator and metrics, ${configuration.description}...`);
    const stack = await StackProcesses.start({ env: configuration.env });
    try {
      const afterBoot = new RssSampler(stack.pids).now();
      log(
        `  RSS after boot: ${STACK_APPS.map((name) => `${name} ${afterBoot.rssMb[name].toFixed(0)} MB`).join(', ')}`,
      );
      const warmUp = await SiteLoad.connect({ gatewayUrl: stack.gatewayUrl, inFlight: 1 });
      const warmUpOutcomes = await warmUp.run({ workflows: WARM_UP_WORKFLOWS }).finally(() => warmUp.close());
      for (const outcome of warmUpOutcomes.filter((each) => each.failure))
        log(`  FAILED warm-up: ${outcome.workflowId ?? '(none)'}: ${outcome.failure}`);
      log(TABLE_HEADER);
      for (const level of configuration.levels) {
        const result = await runLevel({ stack, configuration, level });
        results[configuration.name].push(result);
        log(tableLine(result));
        if (result.overhead)
          log(
            `  at 1 in flight: wall ${result.overhead.clientWallMs.toFixed(0)} ms (server ` +
              `${result.overhead.serverWallMs.toFixed(0)} ms), agent critical path ${result.overhead.criticalPathMs.toFixed(0)} ms`,
          );
      }
    } finally {
      for (const line of stack.logReport()) log(`  ${configuration.name}: ${line}`);
      const problems = await stack.stop();
      for (const problem of problems) log(`  ${configuration.name}: ${problem}`);
    }
  }
  return rowsOf(results);
}
