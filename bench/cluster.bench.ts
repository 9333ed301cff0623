import { RedisClient, createRedisConnection } from '@app/redis';
import { WorkflowStore, compileWorkflowGraph, pinWorkflowGraph } from '@app/workflow-store';
import { RedisCluster } from '../test/support/redis-cluster';
import { TEST_REDIS_URL, removeRedisKeys } from '../test/support/test-environment';
import { BenchRow, row } from './bench-row';
import { closedLoop, median } from './engine.bench';
import { CpuMeter } from './support/cpu-meter';

const STEPS = 6;
const IN_FLIGHT = 50;
const WORKFLOWS_PER_ROUND = Number(process.env.CLUSTER_BENCH_WORKFLOWS ?? 1500);
const ROUNDS = 3;
const PREFIX = 'bench-cluster';

const GRAPH = pinWorkflowGraph(
  compileWorkflowGraph(
    {
      type: 'BENCH_CHAIN',
      description: '',
      steps: Array.from({ length: STEPS }, (_, i) => ({
        id: `s${i + 1}`,
        agent: 'noop',
        dependsOn: i === 0 ? [] : [`s${i}`],
      })),
    },
    () => null,
  ),
  () => 1,
);

/** A store on one deployment's Redis, with a CPU meter on each of its servers. */
interface Side {
  store: WorkflowStore;
  connection: RedisClient;
  meters: CpuMeter[];
}

interface Measured {
  workflowsPerSecond: number[];
  /** Redis CPU per workflow, all servers together (µs). */
  redisUs: number[];
  /** Redis CPU per workflow on the busiest server (µs): what bounds the deployment. */
  busiestUs: number[];
  processUs: number[];
}

async function side(url: string, serverUrls: string[]): Promise<Side> {
  const connection = createRedisConnection(url, 'bench-cluster', { autoPipelining: true });
  const store = new WorkflowStore(connection, { prefix: PREFIX, finishedTtlSeconds: 600 });
  await store.ensureFormat();
  return { store, connection, meters: serverUrls.map((serverUrl) => new CpuMeter(serverUrl)) };
}

/** One six-step workflow driven through the store's transitions, as a worker would, with no queue. */
async function runOne(store: WorkflowStore): Promise<void> {
  const workflowId = store.keys.newWorkflowId();
  await store.create(
    { workflowId, type: 'BENCH_CHAIN', tenantId: 'bench', sessionId: 'bench', input: {}, preferences: {} },
    GRAPH,
  );
  for (let i = 1; i <= STEPS; i++) {
    const stepId = `s${i}`;
    const begun = await store.beginStep(workflowId, stepId, 1);
    if (begun.outcome !== 'run') throw new Error(`${workflowId} ${stepId}: ${begun.outcome}`);
    await store.completeStep({
      workflowId,
      stepId,
      graphId: begun.graphId,
      runToken: begun.runToken,
      output: { ok: true },
      durationMs: 0,
      llmCalls: 0,
      llmTokens: 0,
    });
  }
}

async function measure(contender: Side, into: Measured): Promise<void> {
  const ends = await Promise.all(contender.meters.map((meter) => meter.start()));
  const started = process.cpuUsage();
  into.workflowsPerSecond.push(
    await closedLoop(WORKFLOWS_PER_ROUND, IN_FLIGHT, () => runOne(contender.store)),
  );
  const processSpent = process.cpuUsage(started);
  const perServer = (await Promise.all(ends.map((end) => end()))).map(
    (spent) => spent.redisUs / WORKFLOWS_PER_ROUND,
  );
  into.redisUs.push(perServer.reduce((sum, us) => sum + us, 0));
  into.busiestUs.push(Math.max(...perServer));
  into.processUs.push((processSpent.user + processSpent.system) / WORKFLOWS_PER_ROUND);
}

const empty = (): Measured => ({ workflowsPerSecond: [], redisUs: [], busiestUs: [], processUs: [] });

/**
 * The workflow store on one Redis against a Redis Cluster of three primaries (no replicas: their
 * replication would take CPU the primaries need on a 2-core machine), both on this machine, each
 * driving six-step workflows through the store's transitions (create, then begin and complete
 * each step) with 50 in flight, in alternating rounds. The queues are not in it: BullMQ's keys
 * are not yet hash-tagged for a cluster (see docker/README.md, "Beyond one Redis").
 */
export default async function clusterBench(): Promise<BenchRow[]> {
  const cluster = await RedisCluster.start({ primaries: 3, replicasEach: 0 });
  const single = await side(TEST_REDIS_URL, [TEST_REDIS_URL]);
  const sharded = await side(cluster.url, cluster.nodeUrls);
  const results = { single: empty(), cluster: empty() };
  try {
    await runOne(single.store);
    await runOne(sharded.store);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['single', 'cluster'] as const) : (['cluster', 'single'] as const);
      for (const name of order) await measure(name === 'single' ? single : sharded, results[name]);
    }
  } finally {
    for (const { connection, meters } of [single, sharded]) {
      connection.disconnect();
      await Promise.all(meters.map((meter) => meter.close()));
    }
    await cluster.stop();
    await removeRedisKeys(PREFIX);
  }
  const benchmark = `store on a Redis Cluster (${STEPS} steps, ${IN_FLIGHT} in flight)`;
  const compared = (metric: string, unit: string, pick: (measured: Measured) => number[]) =>
    row({
      benchmark,
      metric,
      unit,
      ours: median(pick(results.cluster)),
      baseline: median(pick(results.single)),
      baselineName: 'one Redis',
      target: null,
    });
  return [
    compared('throughput, 3 primaries', 'workflows/s', (measured) => measured.workflowsPerSecond),
    compared('Redis CPU per workflow, all servers', 'µs', (measured) => measured.redisUs),
    compared('Redis CPU per workflow, busiest server', 'µs', (measured) => measured.busiestUs),
    compared('bench process CPU per workflow', 'µs', (measured) => measured.processUs),
  ];
}
