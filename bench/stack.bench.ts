import 'reflect-metadata';
import { WorkflowState } from '@app/contracts';
import Redis from 'ioredis';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../test/support/api-client';
import { TEST_ADMIN_KEY, TEST_REDIS_URL } from '../test/support/test-environment';
import { BenchRow, percentile, row } from './bench-row';
import { CpuReader, CpuSpent } from './support/cpu-reader';
import { criticalPathMs } from './support/critical-path';
import { OverheadBreakdown, overheadBreakdown } from './support/overhead-breakdown';
import { EventLoopLagScraper } from './support/event-loop-lag-scraper';
import { RssSample, RssSampler } from './support/rss-sampler';
import { SiteLoad, WorkflowOutcome } from './support/site-load';
import { STACK_APPS, StackProcesses } from './support/stack-processes';

const BENCHMARK = 'stack (CREATE_SITE, 3 production processes)';
const RSS_INTERVAL_MS = 250;
const LAG_SCRAPE_INTERVAL_MS = 1000;
/** How long after a load its memory is read again: long enough for a collection, as a quiet minute would see. */
const SETTLE_MS = 10_000;
/**
 * The load each stack runs before the first level, so that both are measured warm: CPU per
 * workflow falls by a quarter over a fresh stack's first 120 or so CREATE_SITE at 20 in flight
 * (V8 optimizing the agents' and the engine's code, each pool thread on its own), pool and inline
 * alike (2026-12-03: 187-198 ms in the orchestrator over the first 60, 115-160 from the third 60
 * on). Four workflows, as before, left the compared levels measuring a stack still warming up.
 */
const WARM_UP: Level = { inFlight: 20, workflows: workflowsAt('STACK_BENCH_WARM_UP_WORKFLOWS', 120) };
/** The drift figures compare this many workflows at the start of the long level with as many at its end. */
const DRIFT_WINDOW = 100;
const LAG_BUDGET_MS = 50;
/** The CPUs every process of the stack shares. */
const CPUS = availableParallelism();
/** The app whose event loop bounds inline, so its main thread's CPU is read on its own too. */
const LOOP_BOUND_APP = 'orchestrator';
const MAX_FAILURES_PRINTED = 20;

interface Level {
  inFlight: number;
  workflows: number;
}

interface Configuration {
  name: 'pool' | 'inline';
  description: string;
  env: Record<string, string>;
}

/** Agent time against wall time, for one workflow (ms). */
interface Overhead extends OverheadBreakdown {
  clientWallMs: number;
  serverWallMs: number;
  criticalPathMs: number;
}

/** What a result covers: one round of a compared level, its rounds combined, or (null) a whole level. */
type LevelPart = { round: number } | { rounds: number } | null;

/** ` r2`, ` 4 rounds` or nothing, after a configuration's name. */
const partLabel = (part: LevelPart) =>
  part === null ? '' : 'round' in part ? ` r${part.round}` : ` ${part.rounds} rounds`;

interface LevelResult {
  configuration: Configuration['name'];
  part: LevelPart;
  level: Level;
  outcomes: WorkflowOutcome[];
  failures: WorkflowOutcome[];
  /** From the level's start to its last workflow's end. */
  durationMs: number;
  workflowsPerSecond: number;
  /** While `inFlight` workflows were running (see FullLoop): the throughput the levels compare. */
  fullLoop: FullLoop;
  /** From the start's ack to the terminal event, of completed workflows, sorted. */
  latenciesMs: number[];
  /** From sending `workflow.start` to its ack, sorted. */
  ackLatenciesMs: number[];
  rssStart: RssSample;
  rssAfter: RssSample;
  sampler: RssSampler;
  lagP99sMs: number[];
  /** Per completed workflow, at 1 in flight only. */
  overheads: Overhead[] | null;
  cpu: CpuSpent;
}

/**
 * The part of a closed loop's run that shows its steady throughput: from the end of its first
 * `inFlight` workflows to the end after which it started no more. Before, the loop's first
 * workflows, all started at once, move in step and end close together; after, the loop drains
 * with ever fewer in flight, which leaves a machine's other CPUs idle with the pool but not inline
 * (its one loop stays busy to the last workflow). A round's throughput from its first start to
 * its last end mixes both in, the more so the shorter the round.
 */
interface FullLoop {
  ends: number;
  durationMs: number;
}

/** `outcomes` in the order they ended; none (NaN per second) when a run is too short to have one. */
function fullLoopOf(outcomes: WorkflowOutcome[], inFlight: number): FullLoop {
  const first = inFlight - 1;
  const last = outcomes.length - inFlight;
  // At least as many ends as are in flight, so that the window is not a handful of neighbours.
  if (last - first < inFlight) return { ends: 0, durationMs: 0 };
  return { ends: last - first, durationMs: outcomes[last].finishedAt - outcomes[first].finishedAt };
}

const perSecond = ({ ends, durationMs }: FullLoop) => (durationMs > 0 ? ends / (durationMs / 1000) : NaN);

function workflowsAt(variable: string, fallback: number): number {
  const value = Number(process.env[variable]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const POOL: Configuration = { name: 'pool', description: 'pool (default)', env: {} };
// Agents' CPU work on the orchestrator's event loop, as before the pool.
const INLINE: Configuration = {
  name: 'inline',
  description: 'inline (CPU_POOL_THREADS=0)',
  env: { CPU_POOL_THREADS: '0' },
};

/**
 * The levels both configurations run, in alternating rounds (pool, inline, inline, pool, ...), so
 * that a machine whose speed drifts over minutes (seen here: raw BullMQ at 1,000 and at 2,000
 * workflows/s within one hour) weighs on both alike and their ratios hold. A round at 20 in flight
 * is 150 workflows, so that most of it is FullLoop, what the ratios compare.
 */
const COMPARED_LEVELS: Level[] = [
  { inFlight: 1, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_1', 20) },
  { inFlight: 20, workflows: workflowsAt('STACK_BENCH_COMPARED_WORKFLOWS_AT_20', 600) },
];
const COMPARISON_ROUNDS = 4;

/** The pool's own levels, after the comparison: more depths, and the long run that shows drift. */
const POOL_LEVELS: Level[] = [
  { inFlight: 10, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_10', 150) },
  { inFlight: 20, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_20', 1000) },
  { inFlight: 50, workflows: workflowsAt('STACK_BENCH_WORKFLOWS_AT_50', 150) },
];

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** Wall time against the critical path of agent time, from each completed workflow's state. */
async function measureOverheads({
  api,
  outcomes,
}: {
  api: ApiClient;
  outcomes: WorkflowOutcome[];
}): Promise<Overhead[]> {
  const figures: Overhead[] = [];
  for (const outcome of outcomes) {
    if (!outcome.isCompleted || !outcome.workflowId) continue;
    const state = await api.json<WorkflowState>(`/workflows/${outcome.workflowId}`);
    figures.push({
      ...overheadBreakdown({
        createdAt: state.createdAt,
        steps: state.steps,
        agentDurationsMs: state.metrics.agentDurationsMs,
      }),
      clientWallMs: outcome.finishedAt - outcome.sentAt,
      serverWallMs: state.metrics.totalDurationMs ?? NaN,
      criticalPathMs: criticalPathMs({
        steps: state.steps,
        agentDurationsMs: state.metrics.agentDurationsMs,
      }),
    });
  }
  return figures;
}

/** The mean of each figure. */
function meanOverhead(figures: Overhead[]): Overhead {
  const names = Object.keys(figures[0]) as (keyof Overhead)[];
  return Object.fromEntries(
    names.map((name) => [name, mean(figures.map((figure) => figure[name]))]),
  ) as unknown as Overhead;
}

/**
 * Where the overhead at 1 in flight goes, in ms: the parts of the chain of steps that ended each
 * workflow (overheadBreakdown), and the client's time outside that chain. With the agents' time on
 * the chain they add up to the client's wall time.
 */
function overheadParts(overhead: Overhead): [string, number][] {
  return [
    [
      "outside the workflow (the start's way in, the completion's way out)",
      overhead.clientWallMs - overhead.spanMs,
    ],
    ["creation to the first step's start", overhead.firstHopMs],
    ['hand-overs between steps', overhead.handOversMs],
    ['inside steps, outside agents', overhead.inStepMs],
  ];
}

async function runLevel({
  stack,
  configuration,
  level,
  part = null,
  settleMs = SETTLE_MS,
  cpuPids,
}: {
  stack: StackProcesses;
  configuration: Configuration;
  level: Level;
  part?: LevelPart;
  /** How long to wait before reading memory "after" (0 for a round another round follows). */
  settleMs?: number;
  /** Processes whose CPU is read besides the apps (Redis). */
  cpuPids: Record<string, number>;
}): Promise<LevelResult> {
  stack.assertRunning();
  const label = `${configuration.name}${partLabel(part)}, ${level.inFlight} in flight`;
  const rssStart = new RssSampler(stack.pids).now();
  const load = await SiteLoad.connect({ gatewayUrl: stack.gatewayUrl, inFlight: level.inFlight });
  const sampler = new RssSampler(stack.pids).start({ intervalMs: RSS_INTERVAL_MS });
  const lag = await new EventLoopLagScraper(`${stack.apps.orchestrator.url}/metrics`).start({
    intervalMs: LAG_SCRAPE_INTERVAL_MS,
  });
  const cpuReader = new CpuReader({ ...stack.pids, ...cpuPids }, [LOOP_BOUND_APP]);
  const cpuStart = cpuReader.now();
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
  const cpu = CpuReader.spent(cpuStart, cpuReader.now());
  // The load's end is its last workflow's, not the last scrape's.
  const end = Math.max(begin, ...outcomes.map((outcome) => outcome.finishedAt));
  stack.assertRunning();
  if (lag.failures.length > 0)
    log(
      `  ${label}: ${lag.failures.length} scrapes of the orchestrator's metrics failed: ${lag.failures[0]}`,
    );
  const completed = outcomes.filter((outcome) => outcome.isCompleted);
  const overheads =
    level.inFlight === 1
      ? await measureOverheads({ api: new ApiClient(stack.gatewayUrl, TEST_ADMIN_KEY), outcomes })
      : null;
  if (settleMs > 0) await sleep(settleMs);
  return {
    configuration: configuration.name,
    part,
    level,
    outcomes,
    failures: outcomes.filter((outcome) => !outcome.isCompleted),
    durationMs: end - begin,
    workflowsPerSecond: completed.length / ((end - begin) / 1000),
    fullLoop: fullLoopOf(outcomes, level.inFlight),
    latenciesMs: sorted(completed.map((outcome) => outcome.finishedAt - outcome.ackAt)),
    ackLatenciesMs: sorted(completed.map((outcome) => outcome.ackAt - outcome.sentAt)),
    rssStart,
    rssAfter: sampler.now(),
    sampler,
    lagP99sMs: sorted(lag.intervalP99sMs),
    overheads,
    cpu,
  };
}

/** The rounds of one configuration at one level as one result: their workflows, times and samples together. */
function combineRounds(rounds: LevelResult[], rssAfter: RssSample): LevelResult {
  const [first] = rounds;
  const outcomes = rounds.flatMap((round) => round.outcomes);
  const durationMs = rounds.reduce((total, round) => total + round.durationMs, 0);
  const sampler = new RssSampler({});
  sampler.samples.push(...rounds.flatMap((round) => round.sampler.samples));
  const overheads = rounds.flatMap((round) => round.overheads ?? []);
  return {
    configuration: first.configuration,
    part: { rounds: rounds.length },
    level: { inFlight: first.level.inFlight, workflows: outcomes.length },
    outcomes,
    failures: rounds.flatMap((round) => round.failures),
    durationMs,
    workflowsPerSecond: outcomes.filter((outcome) => outcome.isCompleted).length / (durationMs / 1000),
    fullLoop: {
      ends: rounds.reduce((total, round) => total + round.fullLoop.ends, 0),
      durationMs: rounds.reduce((total, round) => total + round.fullLoop.durationMs, 0),
    },
    latenciesMs: sorted(rounds.flatMap((round) => round.latenciesMs)),
    ackLatenciesMs: sorted(rounds.flatMap((round) => round.ackLatenciesMs)),
    rssStart: first.rssStart,
    rssAfter,
    sampler,
    lagP99sMs: sorted(rounds.flatMap((round) => round.lagP99sMs)),
    overheads: first.overheads ? overheads : null,
    cpu: CpuReader.sum(rounds.map((round) => round.cpu)),
  };
}

/** CPU per completed workflow, in ms, by process and for everything else on the machine. */
function cpuPerWorkflow(result: LevelResult): {
  byProcess: Record<string, number>;
  /** The orchestrator's event loop alone (part of its process's figure). */
  orchestratorMainThread: number;
  rest: number;
  machine: number;
  busyShare: number;
} {
  const completed = Math.max(1, result.outcomes.length - result.failures.length);
  const byProcess: Record<string, number> = {};
  let named = 0;
  for (const [name, ms] of Object.entries(result.cpu.processMs)) {
    byProcess[name] = ms / completed;
    named += ms;
  }
  return {
    byProcess,
    orchestratorMainThread: result.cpu.mainThreadMs[LOOP_BOUND_APP] / completed,
    rest: (result.cpu.machineBusyMs - named) / completed,
    machine: result.cpu.machineBusyMs / completed,
    busyShare: result.cpu.machineBusyMs / Math.max(1, result.cpu.machineTotalMs),
  };
}

/**
 * The most the pool can gain over inline on this machine at the CPU each workflow costs with it:
 * with the pool every process shares the machine's CPUs, so it finishes at most CPUs / (the
 * machine's CPU per workflow) workflows a second; inline finished what it measured while its loop
 * was full, bound by its one event loop (its main thread's CPU per workflow is in the table). A
 * measured ratio near this ceiling means the pool is doing all a machine this size allows; the
 * ceiling rises with CPUs and with the agents' share of the work, since inline is bound by one
 * core whatever the machine has.
 */
function poolCeiling(pool: LevelResult, inline: LevelResult): number {
  const poolMostPerSecond = (CPUS * 1000) / cpuPerWorkflow(pool).machine;
  return poolMostPerSecond / perSecond(inline.fullLoop);
}

function cpuLine(result: LevelResult): string {
  const { byProcess, orchestratorMainThread, rest, busyShare } = cpuPerWorkflow(result);
  const parts = Object.entries(byProcess).map(
    ([name, ms]) =>
      `${name} ${ms.toFixed(0)}${name === LOOP_BOUND_APP ? ` (main thread ${orchestratorMainThread.toFixed(0)})` : ''}`,
  );
  return (
    `  CPU per workflow, ms: ${parts.join(', ')}, everything else ${rest.toFixed(0)} ` +
    `(PostgreSQL, the load client, the OS); machine ${(busyShare * 100).toFixed(0)}% busy`
  );
}

const TABLE_HEADER =
  'config            in flight  workflows  failed  workflows/s (full loop)  p50 s  p95 s  p99 s  lag p99/max ms  ' +
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
    `${result.configuration}${partLabel(result.part)}`.padEnd(16),
    String(result.level.inFlight).padStart(9),
    String(result.outcomes.length).padStart(9),
    String(result.failures.length).padStart(6),
    `${result.workflowsPerSecond.toFixed(2)} (${perSecond(result.fullLoop).toFixed(2)})`.padStart(23),
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

function rowsOf({
  compared,
  poolLevels,
}: {
  /** Each configuration's compared levels, its rounds combined. */
  compared: Record<Configuration['name'], LevelResult[]>;
  poolLevels: LevelResult[];
}): BenchRow[] {
  const at = (results: LevelResult[], inFlight: number) => {
    const found = results.find((result) => result.level.inFlight === inFlight);
    if (!found) throw new Error(`no result at ${inFlight} in flight`);
    return found;
  };
  const poolAt20 = at(compared.pool, 20);
  const inlineAt20 = at(compared.inline, 20);
  const longAt20 = at(poolLevels, 20);
  const poolDrift = drift(longAt20);
  const overhead = meanOverhead(at(compared.pool, 1).overheads!);
  const common = { benchmark: BENCHMARK };
  const info = (metric: string, unit: string, ours: number): BenchRow =>
    row({ ...common, metric, unit, ours, baseline: null, baselineName: null, target: null });

  const rows: BenchRow[] = [
    row({
      ...common,
      metric: 'throughput while 20 were in flight, pool',
      unit: 'workflows/s',
      ours: perSecond(poolAt20.fullLoop),
      baseline: perSecond(inlineAt20.fullLoop),
      baselineName: 'inline',
      target: '>= 1.5',
    }),
    row({
      ...common,
      metric: `pool/inline throughput, 20 in flight, against what ${CPUS} CPUs allow (CPUs / machine CPU per workflow with the pool, over inline's throughput)`,
      unit: 'x',
      ours: perSecond(poolAt20.fullLoop) / perSecond(inlineAt20.fullLoop),
      baseline: poolCeiling(poolAt20, inlineAt20),
      baselineName: 'ceiling',
      target: null,
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
      metric: `orchestrator event-loop lag p99 (of 1 s p99s), 20 in flight, pool, ${longAt20.outcomes.length} workflows`,
      unit: 'ms',
      ours: percentile(longAt20.lagP99sMs, 99),
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
    ...overheadParts(overhead).map(([part, ms]) =>
      info(`orchestration overhead, 1 in flight, pool: ${part}`, 'ms', ms),
    ),
  ];
  if (poolDrift.hasWindows)
    rows.push(
      row({
        ...common,
        metric: `orchestrator peak RSS over ${longAt20.outcomes.length} workflows, 20 in flight, pool`,
        unit: 'MB',
        ours: longAt20.sampler.peak({ name: 'orchestrator' }),
        baseline: longAt20.sampler.peak({ name: 'orchestrator', to: poolDrift.firstWindowEnd }),
        baselineName: `first ${DRIFT_WINDOW}`,
        target: '<= 1.2',
      }),
      row({
        ...common,
        metric: `throughput over the last ${DRIFT_WINDOW} of ${longAt20.outcomes.length}, 20 in flight, pool`,
        unit: 'workflows/s',
        ours: poolDrift.lastWorkflowsPerSecond,
        baseline: poolDrift.firstWorkflowsPerSecond,
        baselineName: `first ${DRIFT_WINDOW}`,
        target: '>= 0.9',
      }),
    );
  else
    log(
      `too few workflows at 20 in flight (${longAt20.outcomes.length}) for the drift rows: ` +
        `they need at least ${DRIFT_WINDOW + 21}`,
    );
  const inlineOverheads = compared.inline.find((result) => result.level.inFlight === 1)?.overheads;
  const inlineAt1 = inlineOverheads?.length ? meanOverhead(inlineOverheads) : null;
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

  for (const result of [...compared.pool, ...compared.inline, ...poolLevels]) {
    const where = `${result.level.inFlight} in flight, ${result.configuration}${partLabel(result.part).replace(' ', ', ')}`;
    const cpu = cpuPerWorkflow(result);
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
      info(
        `throughput while ${result.level.inFlight} were in flight, ${where}`,
        'workflows/s',
        perSecond(result.fullLoop),
      ),
      info(
        `throughput from the first start to the last end, ${where}`,
        'workflows/s',
        result.workflowsPerSecond,
      ),
      info(`latency p50, ${where}`, 'ms', percentile(result.latenciesMs, 50)),
      info(`latency p95, ${where}`, 'ms', percentile(result.latenciesMs, 95)),
      info(`latency p99, ${where}`, 'ms', percentile(result.latenciesMs, 99)),
      info(`start ack latency p99, ${where}`, 'ms', percentile(result.ackLatenciesMs, 99)),
      info(`orchestrator event-loop lag p99 (of 1 s p99s), ${where}`, 'ms', percentile(result.lagP99sMs, 99)),
      info(`orchestrator event-loop lag max (of 1 s p99s), ${where}`, 'ms', Math.max(...result.lagP99sMs)),
      ...Object.entries(cpu.byProcess).map(([name, ms]) =>
        info(`${name} CPU per workflow, ${where}`, 'ms', ms),
      ),
      info(`orchestrator main-thread CPU per workflow, ${where}`, 'ms', cpu.orchestratorMainThread),
      info(`other CPU per workflow (PostgreSQL, load client, OS), ${where}`, 'ms', cpu.rest),
      info(`machine busy, ${where}`, '%', cpu.busyShare * 100),
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

/** The pid of the machine's Redis when it runs here (its CPU is read too), else none. */
async function localRedisPid(): Promise<Record<string, number>> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const pid = Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1]);
    return Number.isInteger(pid) && existsSync(`/proc/${pid}/stat`) ? { redis: pid } : {};
  } finally {
    await redis.quit();
  }
}

/** Starts a configuration's three apps and warms them up. */
async function startStack(configuration: Configuration): Promise<StackProcesses> {
  log(`starting gateway, orchestrator and metrics, ${configuration.description}...`);
  const stack = await StackProcesses.start({ env: configuration.env });
  const afterBoot = new RssSampler(stack.pids).now();
  log(
    `  RSS after boot: ${STACK_APPS.map((name) => `${name} ${afterBoot.rssMb[name].toFixed(0)} MB`).join(', ')}`,
  );
  log(`  warming up: ${WARM_UP.workflows} workflows at ${WARM_UP.inFlight} in flight`);
  const warmUp = await SiteLoad.connect({ gatewayUrl: stack.gatewayUrl, inFlight: WARM_UP.inFlight });
  const warmUpOutcomes = await warmUp.run({ workflows: WARM_UP.workflows }).finally(() => warmUp.close());
  for (const outcome of warmUpOutcomes.filter((each) => each.failure))
    log(`  FAILED warm-up: ${outcome.workflowId ?? '(none)'}: ${outcome.failure}`);
  return stack;
}

async function stopStack(configuration: Configuration, stack: StackProcesses): Promise<void> {
  for (const line of stack.logReport()) log(`  ${configuration.name}: ${line}`);
  for (const problem of await stack.stop()) log(`  ${configuration.name}: ${problem}`);
}

function logResult(result: LevelResult): void {
  log(tableLine(result));
  // A single round's CPU and overhead are noise; its combination says them.
  if (result.part !== null && 'round' in result.part) return;
  log(cpuLine(result));
  if (result.overheads?.length) {
    const overhead = meanOverhead(result.overheads);
    log(
      `  at 1 in flight: wall ${overhead.clientWallMs.toFixed(0)} ms (server ` +
        `${overhead.serverWallMs.toFixed(0)} ms), agent critical path ${overhead.criticalPathMs.toFixed(0)} ms; ` +
        overheadParts(overhead)
          .map(([part, ms]) => `${part} ${ms.toFixed(1)} ms`)
          .join(', '),
    );
  }
}

/**
 * The product's real workload on its production build: the three apps as separate processes,
 * CREATE_SITE workflows started and followed over Socket.IO by a closed loop at several depths.
 * The orchestrator runs agents' CPU work on its worker pool (default) or, for the baseline, on
 * its event loop (CPU_POOL_THREADS=0): both stacks run side by side, each in its own namespace,
 * and take turns at the compared levels; then the pool alone runs its deeper and longer levels.
 */
export default async function stackBench(): Promise<BenchRow[]> {
  log('building the production bundles (npm run build)...');
  await StackProcesses.build();
  const cpuPids = await localRedisPid();
  const stacks = new Map<Configuration, StackProcesses>();
  const stop = async (configuration: Configuration) => {
    const stack = stacks.get(configuration);
    stacks.delete(configuration);
    if (stack) await stopStack(configuration, stack);
  };
  try {
    for (const configuration of [POOL, INLINE]) stacks.set(configuration, await startStack(configuration));
    const compared: Record<Configuration['name'], LevelResult[]> = { pool: [], inline: [] };
    log(TABLE_HEADER);
    for (const level of COMPARED_LEVELS) {
      const rounds = new Map<Configuration, LevelResult[]>([
        [POOL, []],
        [INLINE, []],
      ]);
      for (let round = 1; round <= COMPARISON_ROUNDS; round++) {
        // Pool first in odd rounds, inline first in even ones: neither always follows the other.
        const order = round % 2 === 1 ? [POOL, INLINE] : [INLINE, POOL];
        for (const configuration of order) {
          const result = await runLevel({
            stack: stacks.get(configuration)!,
            configuration,
            level: { inFlight: level.inFlight, workflows: Math.ceil(level.workflows / COMPARISON_ROUNDS) },
            part: { round },
            settleMs: 0,
            cpuPids,
          });
          rounds.get(configuration)!.push(result);
          logResult(result);
        }
      }
      await sleep(SETTLE_MS);
      for (const [configuration, results] of rounds) {
        const combined = combineRounds(results, new RssSampler(stacks.get(configuration)!.pids).now());
        compared[configuration.name].push(combined);
        logResult(combined);
      }
    }
    await stop(INLINE);
    const poolLevels: LevelResult[] = [];
    for (const level of POOL_LEVELS) {
      const result = await runLevel({ stack: stacks.get(POOL)!, configuration: POOL, level, cpuPids });
      poolLevels.push(result);
      logResult(result);
    }
    return rowsOf({ compared, poolLevels });
  } finally {
    for (const configuration of [...stacks.keys()]) await stop(configuration);
  }
}
