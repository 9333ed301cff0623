import 'reflect-metadata';
import { BenchRow, row } from './bench-row';
import { RssSampler } from './support/rss-sampler';
import { SiteLoad, WorkflowOutcome } from './support/site-load';
import { STACK_APPS, StackProcesses } from './support/stack-processes';

const BENCHMARK = 'soak (CREATE_SITE, 20 in flight, 3 production processes)';
const IN_FLIGHT = 20;
const MINUTE_MS = 60_000;
const RSS_INTERVAL_MS = 2_000;
const MAX_FAILURES_PRINTED = 20;

function soakMinutes(): number {
  const value = Number(process.env.SOAK_MINUTES);
  return Number.isFinite(value) && value >= 2 ? value : 10;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The three production processes (orchestrator with its CPU pool) under a steady 20 CREATE_SITE
 * workflows in flight for SOAK_MINUTES (default 10, at least 2): whether any process's memory
 * keeps growing once warm, whether any workflow is lost, and whether throughput holds. The first
 * minute is the warm-up; memory is compared with its value at the end of that minute.
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
    log(`minute  completed  failed  ${STACK_APPS.map((name) => `${name} MB`).join('  ')}`);
    const reporter = setInterval(() => {
      const { completed, failed } = endedPerMinute[minute];
      const now = sampler.now();
      minute += 1;
      log(
        `${String(minute).padStart(6)}  ${String(completed).padStart(9)}  ${String(failed).padStart(6)}  ` +
          STACK_APPS.map((name) => now.rssMb[name].toFixed(0).padStart(name.length + 3)).join('  '),
      );
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
      load.close();
    }
    const end = performance.now();
    stack.assertRunning();

    const started = outcomes.length;
    const completed = outcomes.filter((outcome) => outcome.isCompleted).length;
    const afterWarmUp = begin + MINUTE_MS;
    const atMinuteOne = sampler.closestTo(afterWarmUp);
    const common = { benchmark: BENCHMARK };
    const rows: BenchRow[] = [];
    for (const name of STACK_APPS) {
      const vsMinuteOne = { baseline: atMinuteOne.rssMb[name], baselineName: 'at minute 1' };
      rows.push(
        row({
          ...common,
          ...vsMinuteOne,
          metric: `${name} RSS max after minute 1`,
          unit: 'MB',
          ours: sampler.peak({ name, from: afterWarmUp, to: end }),
          target: '<= 1.15',
        }),
        row({
          ...common,
          ...vsMinuteOne,
          metric: `${name} RSS min after minute 1`,
          unit: 'MB',
          ours: sampler.trough({ name, from: afterWarmUp, to: end }),
          target: '>= 0.85',
        }),
      );
    }
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
