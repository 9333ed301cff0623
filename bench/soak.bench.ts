import 'reflect-metadata';
import { BenchRow, row } from './bench-row';
import { HeapSampler } from './support/heap-sampler';
import { RssSampler } from './support/rss-sampler';
import { SiteLoad, WorkflowOutcome } from './support/site-load';
import { STACK_APPS, StackProcesses } from './support/stack-processes';

const BENCHMARK = 'soak (CREATE_SITE, 20 in flight, 3 production processes)';
const IN_FLIGHT = 20;
const MINUTE_MS = 60_000;
const RSS_INTERVAL_MS = 2_000;
const HEAP_INTERVAL_MS = 5_000;
const MAX_FAILURES_PRINTED = 20;

function soakMinutes(): number {
  const value = Number(process.env.SOAK_MINUTES);
  return Number.isFinite(value) && value >= 2 ? value : 10;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The three production processes (orchestrator with its CPU pool) under a steady 20 CREATE_SITE
 * workflows in flight for SOAK_MINUTES (default 10, at least 2): whether any process's memory
 * keeps growing once warm, whether any workflow is lost, and whether throughput holds. The first
 * minute is the warm-up. Memory is read as each minute's peak (RSS sampled every 2 s), what a
 * container limit must hold: a single reading lands anywhere on the saw of garbage collection and
 * of the pool threads' heaps (each recycled past CPU_POOL_RECYCLE_HEAP_MB), so two readings can
 * differ by a third with nothing leaking. Every minute's peak after the first is compared with the
 * median of those peaks: flat means all of them within ±15% of it, the last one included.
 * Beside RSS, each app's JS heap, read from /metrics every 5 s, says what a rise is: the lowest
 * heap in use of a minute (what its collections kept) grows with objects kept alive; the highest
 * heap total (what V8 holds from the system) grows with the garbage made between collections;
 * external memory grows with Buffers.
 */
export default async function soakBench(): Promise<BenchRow[]> {
  const minutes = soakMinutes();
  log('building the production bundles (npm run build)...');
  await StackProcesses.build();
  log('starting gateway, orchestrator and metrics (CPU pool, the default)...');
  const stack = await StackProcesses.start();
  try {
    const load = await SiteLoad.connect({ gatewayUrl: stack.gatewayUrl, inFlight: IN_FLIGHT });
    const sampler = new RssSampler(stack.pids).start({ intervalMs: RSS_INTERVAL_MS });
    const heaps = new HeapSampler(
      Object.fromEntries(STACK_APPS.map((name) => [name, stack.apps[name].url])),
    ).start({ intervalMs: HEAP_INTERVAL_MS });
    const begin = performance.now();
    const endedPerMinute = Array.from({ length: minutes + 1 }, () => ({ completed: 0, failed: 0 }));
    const minuteOf = (at: number) => Math.min(minutes, Math.floor((at - begin) / MINUTE_MS));
    let failures = 0;
    const onOutcome = (outcome: WorkflowOutcome) => {
      const minute = endedPerMinute[minuteOf(outcome.finishedAt)];
      if (outcome.isCompleted) minute.completed += 1;
      else {
        minute.failed += 1;
        failures += 1;
        if (failures <= MAX_FAILURES_PRINTED)
          log(`  FAILED workflow ${outcome.workflowId ?? '(none)'}: ${outcome.failure}`);
      }
    };
    let minute = 0;
    log(
      `minute  completed  failed  ${STACK_APPS.map((name) => `${name} peak MB`).join('  ')}  ` +
        `JS heap MB, lowest used-highest total (${STACK_APPS.join(' / ')})`,
    );
    const minuteOfRun = (index: number) => ({
      from: begin + index * MINUTE_MS,
      to: begin + (index + 1) * MINUTE_MS,
    });
    const minutePeak = (name: string, index: number) => sampler.peak({ name, ...minuteOfRun(index) });
    const minuteHeapFloor = (name: string, index: number) => heaps.floor({ name, ...minuteOfRun(index) });
    const reporter = setInterval(() => {
      const { completed, failed } = endedPerMinute[minute];
      sampler.samples.push(sampler.now());
      log(
        `${String(minute + 1).padStart(6)}  ${String(completed).padStart(9)}  ${String(failed).padStart(6)}  ` +
          STACK_APPS.map((name) =>
            minutePeak(name, minute)
              .toFixed(0)
              .padStart(name.length + 8),
          ).join('  ') +
          '  ' +
          STACK_APPS.map(
            (name) =>
              `${minuteHeapFloor(name, minute).toFixed(0)}-` +
              heaps.peak({ name, of: 'heapTotalMb', ...minuteOfRun(minute) }).toFixed(0),
          ).join(' / '),
      );
      minute += 1;
      try {
        stack.assertRunning();
      } catch (error) {
        log(String(error));
      }
    }, MINUTE_MS);
    let outcomes: WorkflowOutcome[];
    try {
      outcomes = await load.run({ durationMs: minutes * MINUTE_MS, onOutcome });
    } finally {
      clearInterval(reporter);
      sampler.stop();
      await heaps.stop();
      load.close();
    }
    const end = performance.now();
    stack.assertRunning();

    const started = outcomes.length;
    const completed = outcomes.filter((outcome) => outcome.isCompleted).length;
    const common = { benchmark: BENCHMARK };
    const rows: BenchRow[] = [];
    // Whole minutes after the warm-up; a last partial minute (the load winding down) is left out.
    const warmMinutes = Array.from({ length: Math.floor((end - begin) / MINUTE_MS) - 1 }, (_, i) => i + 1);
    for (const name of STACK_APPS) {
      const peaks = warmMinutes.map((index) => minutePeak(name, index));
      const vsMedian = { baseline: median(peaks), baselineName: 'median minute peak' };
      rows.push(
        row({
          ...common,
          ...vsMedian,
          metric: `${name} RSS, highest minute peak after minute 1`,
          unit: 'MB',
          ours: Math.max(...peaks),
          target: '<= 1.15',
        }),
        row({
          ...common,
          ...vsMedian,
          metric: `${name} RSS, lowest minute peak after minute 1`,
          unit: 'MB',
          ours: Math.min(...peaks),
          target: '>= 0.85',
        }),
        row({
          ...common,
          ...vsMedian,
          metric: `${name} RSS, minute ${warmMinutes.length + 1} peak`,
          unit: 'MB',
          ours: peaks[peaks.length - 1],
          target: null,
        }),
      );
      // Whether the RSS above follows the main thread's heap (no target: RSS is what a limit holds).
      const lastMinute = warmMinutes.length + 1;
      const heapRows: [metric: string, baselineName: string, perMinute: (index: number) => number][] = [
        [
          `JS heap (main thread), minute ${lastMinute} floor`,
          'minute 2 floor',
          (index) => minuteHeapFloor(name, index),
        ],
        [
          `JS heap total (main thread), minute ${lastMinute} peak`,
          'minute 2 peak',
          (index) => heaps.peak({ name, of: 'heapTotalMb', ...minuteOfRun(index) }),
        ],
        [
          `external memory (Buffers), minute ${lastMinute} peak`,
          'minute 2 peak',
          (index) => heaps.peak({ name, of: 'externalMb', ...minuteOfRun(index) }),
        ],
      ];
      for (const [metric, baselineName, perMinute] of heapRows) {
        const values = warmMinutes.map(perMinute);
        rows.push(
          row({
            ...common,
            baseline: values[0],
            baselineName,
            metric: `${name} ${metric}`,
            unit: 'MB',
            ours: values[values.length - 1],
            target: null,
          }),
        );
      }
    }
    for (const failure of heaps.failures.slice(0, MAX_FAILURES_PRINTED))
      log(`  heap sample failed: ${failure}`);
    rows.push(
      row({
        ...common,
        metric: `errors over ${minutes} min`,
        unit: 'workflows',
        ours: started - completed,
        baseline: started,
        baselineName: 'started',
        target: '<= 0',
      }),
      row({
        ...common,
        metric: `workflows completed over ${minutes} min`,
        unit: 'workflows',
        ours: completed,
        baseline: started,
        baselineName: 'started',
        target: '>= 1.0',
      }),
      row({
        ...common,
        metric: `throughput in minute ${minutes}`,
        unit: 'workflows/min',
        ours: endedPerMinute[minutes - 1].completed,
        baseline: endedPerMinute[0].completed,
        baselineName: 'minute 1',
        target: null,
      }),
    );
    return rows;
  } finally {
    for (const line of stack.logReport()) log(`  ${line}`);
    for (const problem of await stack.stop()) log(`  ${problem}`);
  }
}
