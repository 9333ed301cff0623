import {
  Counter,
  CounterConfiguration,
  Gauge,
  Histogram,
  HistogramConfiguration,
  Registry,
  register,
} from 'prom-client';
import { LlmCallReport } from '../llm/llm-client';
import { CpuPoolState, CpuTaskReport } from '../cpu';

const STEP_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];
const CPU_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60];

/** The CPU pools whose state each registry's gauges sum, whichever worker registered the gauges. */
const poolsByRegistry = new WeakMap<Registry, Set<() => CpuPoolState>>();

/** The CPU pool's gauges, read from the pools when Prometheus scrapes, so they are never stale. */
const POOL_GAUGES: { name: string; help: string; read: (state: CpuPoolState) => number }[] = [
  { name: 'cpu_pool_threads', help: 'Worker threads of the CPU pool', read: (state) => state.threads },
  {
    name: 'cpu_pool_queued_tasks',
    help: 'CPU tasks waiting for a free thread',
    read: (state) => state.queued,
  },
  {
    name: 'cpu_pool_utilization',
    help: "Share of the threads' time spent running tasks (0-1)",
    read: (state) => state.utilization,
  },
];

/**
 * How a worker got a step it began (`workflow_steps_begun_total`'s `via`): taken off its queue,
 * claimed by the job of the step before it, or forked beside that claim in the same job.
 */
export type StepBegunVia = 'queue' | 'claim' | 'fork';

/**
 * A worker's Prometheus metrics, in the registry it is given (prom-client's default one unless
 * told otherwise). A second worker in the same process shares them: a name is registered once.
 */
export class WorkerMetrics {
  readonly stepDuration = this.histogram({
    name: 'workflow_step_duration_seconds',
    help: 'Time an agent step took, by agent and outcome',
    labelNames: ['agent', 'outcome'],
    buckets: STEP_SECONDS_BUCKETS,
  });
  readonly stepsBegun = this.counter({
    name: 'workflow_steps_begun_total',
    help:
      'Steps begun, by agent and how the worker got them: from their queue, claimed by the step ' +
      'before them, or forked beside that claim (both run in the same job, with no queue hop)',
    labelNames: ['agent', 'via'],
  });
  readonly stepRetries = this.counter({
    name: 'workflow_step_retries_total',
    help: 'Step attempts retried, by agent and error kind',
    labelNames: ['agent', 'kind'],
  });
  readonly revisions = this.counter({
    name: 'workflow_revisions_total',
    help: "Times a check sent earlier work back (a workflow's quality loop), by workflow type and checking step",
    labelNames: ['workflow_type', 'step'],
  });
  readonly llmCalls = this.counter({
    name: 'llm_calls_total',
    help: 'LLM calls agents made, by agent, model and outcome (ok, cancelled, or the error kind)',
    labelNames: ['agent', 'model', 'outcome'],
  });
  readonly llmTokens = this.counter({
    name: 'llm_tokens_total',
    help: 'LLM tokens agents spent, by agent, model and kind (prompt, completion)',
    labelNames: ['agent', 'model', 'kind'],
  });
  readonly llmCost = this.counter({
    name: 'llm_cost_total',
    help: 'What LLM calls cost, in US dollars from the price table, by agent and model',
    labelNames: ['agent', 'model'],
  });
  readonly cpuTasks = this.counter({
    name: 'cpu_pool_tasks_total',
    help: 'CPU tasks the pool ran, by task and outcome (success, error, aborted, crashed)',
    labelNames: ['task', 'outcome'],
  });
  readonly cpuTaskRun = this.histogram({
    name: 'cpu_pool_task_run_seconds',
    help: 'Time a CPU task ran in its thread',
    labelNames: ['task'],
    buckets: CPU_SECONDS_BUCKETS,
  });
  readonly cpuTaskWait = this.histogram({
    name: 'cpu_pool_task_wait_seconds',
    help: 'Time a CPU task waited for a free thread',
    labelNames: ['task'],
    buckets: CPU_SECONDS_BUCKETS,
  });
  readonly cpuPoolRecycles = this.counter({
    name: 'cpu_pool_recycles_total',
    help: "Times the pool's threads were replaced because a heap kept growing",
  });
  private readonly pools: Set<() => CpuPoolState>;

  constructor(private readonly registry: Registry = register) {
    const pools = poolsByRegistry.get(registry) ?? new Set<() => CpuPoolState>();
    poolsByRegistry.set(registry, pools);
    this.pools = pools;
    for (const { name, help, read } of POOL_GAUGES) {
      if (registry.getSingleMetric(name)) continue;
      new Gauge({
        name,
        help,
        registers: [registry],
        collect(this: Gauge) {
          this.set([...pools].reduce((sum, state) => sum + read(state()), 0));
        },
      });
    }
  }

  /** Counts an LLM call of an agent, failed ones too (with the tokens they spent, if any). */
  llmCallMade(
    agent: string,
    { model, outcome, promptTokens, completionTokens, costUsd }: LlmCallReport,
  ): void {
    this.llmCalls.inc({ agent, model, outcome });
    this.llmTokens.inc({ agent, model, kind: 'prompt' }, promptTokens);
    this.llmTokens.inc({ agent, model, kind: 'completion' }, completionTokens);
    this.llmCost.inc({ agent, model }, costUsd);
  }

  /** Counts a CPU task the pool finished. */
  cpuTaskFinished({ task, outcome, runMs, waitMs }: CpuTaskReport): void {
    this.cpuTasks.inc({ task, outcome });
    this.cpuTaskRun.observe({ task }, runMs / 1000);
    this.cpuTaskWait.observe({ task }, waitMs / 1000);
  }

  /** Reports this pool's state in the gauges; returns a function that stops it. */
  watchPool(state: () => CpuPoolState): () => void {
    this.pools.add(state);
    return () => this.pools.delete(state);
  }

  private counter(configuration: Omit<CounterConfiguration<string>, 'registers'>): Counter<string> {
    return (
      (this.registry.getSingleMetric(configuration.name) as Counter<string> | undefined) ??
      new Counter({ ...configuration, registers: [this.registry] })
    );
  }

  private histogram(configuration: Omit<HistogramConfiguration<string>, 'registers'>): Histogram<string> {
    return (
      (this.registry.getSingleMetric(configuration.name) as Histogram<string> | undefined) ??
      new Histogram({ ...configuration, registers: [this.registry] })
    );
  }
}
