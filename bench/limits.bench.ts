import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { spawnRedisServer } from '../test/support/redis-server';
import { BenchRow, row } from './bench-row';
import { Contender, closedLoop, median, rawBullmq } from './engine.bench';
import { FlowControlKeys, FlowControlRedis } from '@app/flow-control';
import { CpuMeter } from './support/cpu-meter';
import { InProcessOrchestrator } from './support/in-process-orchestrator';

const STEPS = 6;
const IN_FLIGHT = 50;
const WORKFLOWS_PER_ROUND = 1000;
const ROUNDS = 5;
/** The budget for what one limit may add to a step's Redis time. */
const REDIS_BUDGET_US = 30;

type Side = 'off' | 'rate' | 'slots';
const AGENT_OF: Record<Side, string> = {
  off: 'bench-unlimited',
  rate: 'bench-rate-limited',
  slots: 'bench-slot-limited',
};

/**
 * One orchestrator (the real Nest app, in this process) serving three no-op agents alike but
 * for their limits; a contender per agent, each running six-step chains of it.
 */
async function engine(
  prefix: string,
  redisUrl: string,
): Promise<{ sides: Record<Side, Contender>; close: () => Promise<void> }> {
  const orchestrator = await InProcessOrchestrator.start({
    prefix,
    redisUrl,
    agentModules: 'bench/support/limited-noop-agents.ts',
    concurrency: IN_FLIGHT,
  });
  const contender = (agent: string): Contender => {
    const graph = orchestrator.chain(agent, STEPS);
    return {
      runOne: () => orchestrator.runOne(graph),
      takeHops: () => [],
      close: () => Promise.resolve(),
    };
  };
  return {
    sides: { off: contender(AGENT_OF.off), rate: contender(AGENT_OF.rate), slots: contender(AGENT_OF.slots) },
    close: () => orchestrator.close(),
  };
}

/**
 * What keyed limits cost: Redis time per step with one limit on every step (a rate, or a
 * concurrency slot) against the same steps without, as Redis CPU (all it spends, reading and
 * writing each command included) and as function time (executing FCALLs only); and the engine's
 * throughput with one limit on every step against raw BullMQ chaining six jobs. All in the same
 * run, in alternating rounds (medians) so that the machine's load hits every side alike. The
 * limits never refuse: this is the price of asking, not of waiting.
 */
export default async function limitsBench(): Promise<BenchRow[]> {
  const prefix = `bench${randomUUID().slice(0, 8)}`;
  const redisServer = await privateRedis();
  const raw = await rawBullmq(`${prefix}raw`, redisServer.url);
  const ours = await engine(prefix, redisServer.url);
  const meter = new CpuMeter(redisServer.url);
  const stats = new Redis(redisServer.url);
  const contenders: [Side | 'raw', Contender][] = [
    ['raw', raw],
    ...(Object.entries(ours.sides) as [Side, Contender][]),
  ];
  const throughput = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  const redisUsPerStep = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  const functionUsPerStep = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
  try {
    for (const [, contender] of contenders) await closedLoop(100, 10, contender.runOne); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const [name, contender] of order) {
        const functionsBefore = await functionUs(stats);
        const stop = await meter.start();
        throughput.get(name)!.push(await closedLoop(WORKFLOWS_PER_ROUND, IN_FLIGHT, contender.runOne));
        redisUsPerStep.get(name)!.push((await stop()).redisUs / (WORKFLOWS_PER_ROUND * STEPS));
        functionUsPerStep
          .get(name)!
          .push(((await functionUs(stats)) - functionsBefore) / (WORKFLOWS_PER_ROUND * STEPS));
      }
    }
    const alone = await limitTimeAlone(stats);
    const perStep = (side: string) => median(redisUsPerStep.get(side)!);
    const functionsPerStep = (side: string) => median(functionUsPerStep.get(side)!);
    const perSecond = (side: string) => median(throughput.get(side)!);
    const benchmark = `limits (${STEPS} no-op steps, ${IN_FLIGHT} in flight)`;
    const added = (side: Side, label: string) =>
      row({
        benchmark,
        metric: `Redis CPU per step added by ${label} (${perStep(side).toFixed(1)} vs ${perStep('off').toFixed(1)} off)`,
        unit: 'µs',
        ours: perStep(side) - perStep('off'),
        baseline: REDIS_BUDGET_US,
        baselineName: 'budget',
        target: '<= 1',
      });
    const functionsAdded = (side: Side, label: string) =>
      row({
        benchmark,
        metric: `Redis function time per step added by ${label} (${functionsPerStep(side).toFixed(1)} vs ${functionsPerStep('off').toFixed(1)} off)`,
        unit: 'µs',
        ours: functionsPerStep(side) - functionsPerStep('off'),
        baseline: REDIS_BUDGET_US,
        baselineName: 'budget',
        target: '<= 1',
      });
    const versusRaw = (side: Side, label: string, target: string | null) =>
      row({
        benchmark,
        metric: `throughput, ${label}`,
        unit: 'workflows/s',
        ours: perSecond(side),
        baseline: perSecond('raw'),
        baselineName: 'raw BullMQ',
        target,
      });
    const aloneRow = (metric: string, us: number) =>
      row({
        benchmark,
        metric,
        unit: 'µs',
        ours: us,
        baseline: REDIS_BUDGET_US,
        baselineName: 'budget',
        target: '<= 1',
      });
    return [
      aloneRow('Redis time of one rate limit per step, measured alone (FCALL)', alone.rate),
      aloneRow('Redis time of one concurrency limit per step, measured alone (take + release)', alone.slots),
      added('rate', 'one rate limit'),
      added('slots', 'one concurrency limit'),
      functionsAdded('rate', 'one rate limit'),
      functionsAdded('slots', 'one concurrency limit'),
      versusRaw('rate', 'one rate limit on every step', '>= 0.6'),
      versusRaw('slots', 'one concurrency limit on every step', '>= 0.6'),
      versusRaw('off', 'no limits', null),
    ];
  } finally {
    await meter.close();
    await stats.quit();
    await ours.close();
    await raw.close();
    redisServer.stop();
  }
}

/**
 * A redis-server of the bench's own (no persistence), so that its CPU is this bench's alone: the
 * machine's Redis serves other people's tests too, whose load would land on one side or the other.
 */
async function privateRedis(): Promise<{ url: string; stop: () => void }> {
  const { port, server } = await spawnRedisServer(['--save', '', '--appendonly', 'no']);
  const url = `redis://127.0.0.1:${port}`;
  return { url, stop: () => server.kill('SIGTERM') };
}

/**
 * Time Redis spent executing functions (FCALL, from INFO commandstats), in µs: the store's
 * transitions and flow control's calls, without the reading and writing around each that its CPU
 * also counts. (Not every command: BullMQ's blocking fetches count the time they waited.)
 */
async function functionUs(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/^cmdstat_fcall:calls=\d+,usec=(\d+)/m.exec(info)?.[1] ?? 0);
}

/**
 * Redis time of one limit per step with nothing else running on the bench's Redis: sequential
 * calls, their execution time from INFO commandstats (the flow-control functions and the
 * commands inside them). Under load the same calls measure longer, as every command does when
 * Redis shares two cores with the engine.
 */
async function limitTimeAlone(redis: Redis): Promise<{ rate: number; slots: number }> {
  const calls = 5000;
  const flowControl = new FlowControlRedis(redis);
  const keys = new FlowControlKeys(`alone${randomUUID().slice(0, 8)}`);
  const rate = { key: keys.rate('bench', 'alone'), args: [1e-6, 1e9] };
  await flowControl.call('rate_acquire', [rate.key], rate.args); // loads the library
  await redis.config('RESETSTAT');
  for (let i = 0; i < calls; i++) await flowControl.call('rate_acquire', [rate.key], rate.args);
  const rateUs = (await functionUs(redis)) / calls;
  await redis.config('RESETSTAT');
  const slots = keys.slots('bench', 'alone');
  for (let i = 0; i < calls; i++) {
    await flowControl.call('slot_acquire', [slots], [1e6, 30_000, `t${i}`]);
    await flowControl.call('slot_release', [slots], [`t${i}`]);
  }
  return { rate: rateUs, slots: (await functionUs(redis)) / calls };
}
