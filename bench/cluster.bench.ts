import { RedisClient, createRedisConnection } from '@app/redis';
import { WorkflowStore, compileWorkflowGraph, pinWorkflowGraph } from '@app/workflow-store';
import { RedisCluster } from '../test/support/redis-cluster';
import { TEST_REDIS_URL, removeRedisKeys } from '../test/support/test-environment';
import { BenchRow, row } from './bench-row';
import { closedLoop, median } from './engine.bench';
import { CpuMeter } from './support/cpu-meter';
import { InProcessOrchestrator } from './support/in-process-orchestrator';

const STEPS = 6;
const IN_FLIGHT = 50;
const WORKFLOWS_PER_ROUND = Number(process.env.CLUSTER_BENCH_WORKFLOWS ?? 1500);
const ROUNDS = 3;
const PREFIX = 'bench-cluster';
/** Workflows per round through the whole orchestrator, whose agents and queues cost more per step. */
const APP_WORKFLOWS_PER_ROUND = Math.ceil(WORKFLOWS_PER_ROUND / 3);
/** The orchestrator's step queues split so on the cluster's third side (STEP_QUEUE_PARTITIONS). */
const PARTITIONS = 4;

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

/** Runs `workflows` workflows, `IN_FLIGHT` at a time, and adds what they cost to `into`. */
async function measure(meters: CpuMeter[], workflows: number, runOne: () => Promise<void>, into: Measured) {
  const ends = await Promise.all(meters.map((meter) => meter.start()));
  const started = process.cpuUsage();
  into.workflowsPerSecond.push(await closedLoop(workflows, IN_FLIGHT, runOne));
  const processSpent = process.cpuUsage(started);
  const perServer = (await Promise.all(ends.map((end) => end()))).map((spent) => spent.redisUs / workflows);
  into.redisUs.push(perServer.reduce((sum, us) => sum + us, 0));
  into.busiestUs.push(Math.max(...perServer));
  into.processUs.push((processSpent.user + processSpent.system) / workflows);
}

/**
 * A round of the whole orchestrator (its Nest app in this process, BullMQ queues, agent worker
 * and no-op agents) on `url`: started fresh under a prefix of its own, then closed.
 */
async function measureOrchestrator(
  url: string,
  meters: CpuMeter[],
  prefix: string,
  into: Measured,
  stepQueuePartitions = 1,
) {
  const orchestrator = await InProcessOrchestrator.start({
    prefix,
    redisUrl: url,
    agentModules: 'bench/support/noop-agents.ts',
    concurrency: IN_FLIGHT,
    stepQueuePartitions,
  });
  try {
    const graph = orchestrator.chain('bench-noop', STEPS);
    await orchestrator.runOne(graph);
    await measure(meters, APP_WORKFLOWS_PER_ROUND, () => orchestrator.runOne(graph), into);
  } finally {
    await orchestrator.close();
  }
}

const APP_SIDES = ['single', 'cluster', 'partitioned'] as const;

const empty = (): Measured => ({ workflowsPerSecond: [], redisUs: [], busiestUs: [], processUs: [] });

/**
 * One Redis against a Redis Cluster of three primaries (no replicas: their replication would take
 * CPU the primaries need on a 2-core machine), both on this machine, with 50 workflows of six
 * steps in flight, in alternating rounds: first the workflow store alone (create, then begin and
 * complete each step, no queue), then the whole orchestrator (queues, worker and no-op agents),
 * on the cluster both with unsplit step queues and with each split into four partitions.
 */
export default async function clusterBench(): Promise<BenchRow[]> {
  const cluster = await RedisCluster.start({ primaries: 3, replicasEach: 0 });
  const single = await side(TEST_REDIS_URL, [TEST_REDIS_URL]);
  const sharded = await side(cluster.url, cluster.nodeUrls);
  const results = { single: empty(), cluster: empty() };
  const apps = { single: empty(), cluster: empty(), partitioned: empty() };
  const appPrefixes: string[] = [];
  try {
    await runOne(single.store);
    await runOne(sharded.store);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['single', 'cluster'] as const) : (['cluster', 'single'] as const);
      for (const name of order) {
        const { store, meters } = name === 'single' ? single : sharded;
        await measure(meters, WORKFLOWS_PER_ROUND, () => runOne(store), results[name]);
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? APP_SIDES : [...APP_SIDES].reverse()) {
        const prefix = `${PREFIX}-app${round}-${name}`;
        appPrefixes.push(prefix);
        const [url, meters] =
          name === 'single' ? [TEST_REDIS_URL, single.meters] : [cluster.url, sharded.meters];
        await measureOrchestrator(url, meters, prefix, apps[name], name === 'partitioned' ? PARTITIONS : 1);
      }
    }
  } finally {
    for (const { connection, meters } of [single, sharded]) {
      connection.disconnect();
      await Promise.all(meters.map((meter) => meter.close()));
    }
    await cluster.stop();
    await removeRedisKeys(PREFIX);
    for (const prefix of appPrefixes) await removeRedisKeys(prefix);
  }
  const rowsOf = (
    what: string,
    measured: { single: Measured; cluster: Measured },
    clusterName = '3 primaries',
  ) => {
    const benchmark = `${what} on a Redis Cluster (${STEPS} steps, ${IN_FLIGHT} in flight)`;
    const compared = (metric: string, unit: string, pick: (of: Measured) => number[]) =>
      row({
        benchmark,
        metric: `${metric}, ${clusterName}`,
        unit,
        ours: median(pick(measured.cluster)),
        baseline: median(pick(measured.single)),
        baselineName: 'one Redis',
        target: null,
      });
    return [
      compared('throughput', 'workflows/s', (of) => of.workflowsPerSecond),
      compared('Redis CPU per workflow, all servers', 'µs', (of) => of.redisUs),
      compared('Redis CPU per workflow, busiest server', 'µs', (of) => of.busiestUs),
      compared('bench process CPU per workflow', 'µs', (of) => of.processUs),
    ];
  };
  return [
    ...rowsOf('store', results),
    ...rowsOf('orchestrator', apps),
    ...rowsOf(
      'orchestrator',
      { single: apps.single, cluster: apps.partitioned },
      `3 primaries, ${PARTITIONS} partitions`,
    ),
  ];
}
