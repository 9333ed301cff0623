import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { TEST_REDIS_URL, removeRedisKeys } from '../test/support/test-environment';
import { BenchRow, percentile, row } from './bench-row';
import { CpuMeter } from './support/cpu-meter';
import { InProcessOrchestrator } from './support/in-process-orchestrator';
import { stepTimes } from './support/noop-agents';

const STEPS = 6;
const IN_FLIGHT = 50;
const WORKFLOWS_AT_LOAD = 4000;
const WORKFLOWS_ONE_BY_ONE = 250;
const CONCURRENCY = 50;
const ROUNDS = 5;

/** One side of the comparison: set up once, then measured in alternating rounds. */
export interface Contender {
  runOne: () => Promise<void>;
  /** Gaps (ms) between a step's end and the next step's start since the last call, sorted. */
  takeHops: () => number[];
  close: () => Promise<void>;
  rssMb?: () => number;
}

interface Measurement {
  hopsMs: number[];
  workflowsPerSecond: number[];
  /** CPU spent per workflow, in microseconds, one figure per round. */
  redisUsPerWorkflow: number[];
  processUsPerWorkflow: number[];
}

/** Runs `total` workflows keeping `inFlight` of them going; returns workflows per second. */
export async function closedLoop(
  total: number,
  inFlight: number,
  startOne: () => Promise<void>,
): Promise<number> {
  let started = 0;
  const begin = performance.now();
  const lane = async () => {
    while (started < total) {
      started += 1;
      await startOne();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return total / ((performance.now() - begin) / 1000);
}

function chainHops<T extends { key: string; order: string | number; startedAt: number; endedAt: number }>(
  times: T[],
): number[] {
  const byKey = new Map<string, T[]>();
  for (const time of times) byKey.set(time.key, [...(byKey.get(time.key) ?? []), time]);
  const gaps: number[] = [];
  for (const chain of byKey.values()) {
    chain.sort((a, b) => (a.order < b.order ? -1 : 1));
    for (let i = 1; i < chain.length; i++) gaps.push(chain[i].startedAt - chain[i - 1].endedAt);
  }
  return gaps.sort((a, b) => a - b);
}

/** Our engine: an orchestrator (the real Nest app, in this process) running six no-op steps. */
async function ourEngine(prefix: string): Promise<Contender> {
  const orchestrator = await InProcessOrchestrator.start({
    prefix,
    redisUrl: TEST_REDIS_URL,
    agentModules: 'bench/support/noop-agents.ts',
    concurrency: CONCURRENCY,
  });
  const graph = orchestrator.chain('bench-noop', STEPS);
  return {
    runOne: () => orchestrator.runOne(graph),
    takeHops: () => {
      const hops = chainHops(
        stepTimes.map((time) => ({ ...time, key: time.workflowId, order: time.stepId })),
      );
      stepTimes.length = 0;
      return hops;
    },
    rssMb: () => process.memoryUsage().rss / 1024 / 1024,
    close: () => orchestrator.close(),
  };
}

/** Raw BullMQ: a chain of six no-op jobs, each enqueuing the next from inside its processor. */
export async function rawBullmq(prefix: string, redisUrl = TEST_REDIS_URL): Promise<Contender> {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue('raw-chain', { connection, prefix });
  const done = new Map<string, () => void>();
  const times: { key: string; order: number; startedAt: number; endedAt: number }[] = [];
  const worker = new Worker(
    'raw-chain',
    async (job: Job<{ chain: string; step: number }>) => {
      const startedAt = performance.now();
      const { chain, step } = job.data;
      times.push({ key: chain, order: step, startedAt, endedAt: performance.now() });
      if (step + 1 < STEPS) await queue.add('step', { chain, step: step + 1 }, { removeOnComplete: true });
      else done.get(chain)?.();
    },
    { connection, prefix, concurrency: CONCURRENCY },
  );
  await worker.waitUntilReady();
  return {
    runOne: () =>
      new Promise<void>((resolve) => {
        const chain = randomUUID();
        done.set(chain, () => {
          done.delete(chain);
          resolve();
        });
        void queue.add('step', { chain, step: 0 }, { removeOnComplete: true });
      }),
    takeHops: () => {
      const hops = chainHops(times);
      times.length = 0;
      return hops;
    },
    close: async () => {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Per-step orchestration overhead and no-op workflow throughput of our engine beside raw BullMQ
 * on the same Redis in the same run. Both chain six no-op steps. The two sides are measured in
 * alternating rounds (medians of throughput, pooled gaps for percentiles) so that a load change
 * on this shared machine hits both alike.
 */
export default async function engineBench(): Promise<BenchRow[]> {
  const prefix = `bench${randomUUID().slice(0, 8)}`;
  const raw = await rawBullmq(`${prefix}raw`);
  const ours = await ourEngine(prefix);
  const meter = new CpuMeter(TEST_REDIS_URL);
  try {
    const results = new Map<Contender, { single: Measurement; load: Measurement }>();
    for (const contender of [raw, ours]) {
      await closedLoop(100, 10, contender.runOne); // warm-up
      contender.takeHops();
      const measurement = (): Measurement => ({
        hopsMs: [],
        workflowsPerSecond: [],
        redisUsPerWorkflow: [],
        processUsPerWorkflow: [],
      });
      results.set(contender, { single: measurement(), load: measurement() });
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const contender of round % 2 === 0 ? [raw, ours] : [ours, raw]) {
        const result = results.get(contender)!;
        result.single.workflowsPerSecond.push(
          await closedLoop(WORKFLOWS_ONE_BY_ONE / ROUNDS, 1, contender.runOne),
        );
        result.single.hopsMs.push(...contender.takeHops());
        const stop = await meter.start();
        result.load.workflowsPerSecond.push(
          await closedLoop(WORKFLOWS_AT_LOAD / ROUNDS, IN_FLIGHT, contender.runOne),
        );
        const spent = await stop();
        result.load.redisUsPerWorkflow.push(spent.redisUs / (WORKFLOWS_AT_LOAD / ROUNDS));
        result.load.processUsPerWorkflow.push(spent.processUs / (WORKFLOWS_AT_LOAD / ROUNDS));
        result.load.hopsMs.push(...contender.takeHops());
      }
    }
    const [r, o] = [results.get(raw)!, results.get(ours)!];
    for (const result of [r, o])
      for (const phase of [result.single, result.load]) phase.hopsMs.sort((a, b) => a - b);
    const name = 'engine (6 no-op steps)';
    const common = { benchmark: name, baselineName: 'raw BullMQ' };
    return [
      row({
        ...common,
        metric: 'step overhead p50, 1 in flight',
        unit: 'ms',
        ours: percentile(o.single.hopsMs, 50),
        baseline: percentile(r.single.hopsMs, 50),
        target: null,
      }),
      row({
        ...common,
        metric: 'step overhead p99, 1 in flight',
        unit: 'ms',
        ours: percentile(o.single.hopsMs, 99),
        baseline: percentile(r.single.hopsMs, 99),
        target: null,
      }),
      row({
        ...common,
        metric: `step overhead p50, ${IN_FLIGHT} in flight`,
        unit: 'ms',
        ours: percentile(o.load.hopsMs, 50),
        baseline: percentile(r.load.hopsMs, 50),
        target: '<= 1.5',
      }),
      row({
        ...common,
        metric: `step overhead p99, ${IN_FLIGHT} in flight`,
        unit: 'ms',
        ours: percentile(o.load.hopsMs, 99),
        baseline: percentile(r.load.hopsMs, 99),
        target: null,
      }),
      row({
        ...common,
        metric: `throughput, ${IN_FLIGHT} in flight`,
        unit: 'workflows/s',
        ours: median(o.load.workflowsPerSecond),
        baseline: median(r.load.workflowsPerSecond),
        target: '>= 0.7',
      }),
      row({
        ...common,
        // Where a workflow's time goes: the closed loop is bound by Redis, the busier process.
        metric: `Redis CPU per workflow, ${IN_FLIGHT} in flight`,
        unit: 'µs',
        ours: median(o.load.redisUsPerWorkflow),
        baseline: median(r.load.redisUsPerWorkflow),
        target: null,
      }),
      row({
        ...common,
        metric: `bench process CPU per workflow, ${IN_FLIGHT} in flight`,
        unit: 'µs',
        ours: median(o.load.processUsPerWorkflow),
        baseline: median(r.load.processUsPerWorkflow),
        target: null,
      }),
      row({
        ...common,
        metric: 'throughput, 1 in flight',
        unit: 'workflows/s',
        ours: median(o.single.workflowsPerSecond),
        baseline: median(r.single.workflowsPerSecond),
        target: null,
      }),
      row({
        benchmark: name,
        metric: 'bench process memory (RSS), engine and raw worker',
        unit: 'MB',
        ours: ours.rssMb?.() ?? 0,
        baseline: null,
        baselineName: null,
        target: null,
      }),
    ];
  } finally {
    await meter.close();
    await ours.close();
    await raw.close();
    await removeRedisKeys(prefix);
    await removeRedisKeys(`${prefix}raw`);
  }
}
