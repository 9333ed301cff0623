import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { CpuPool, CpuPoolState, CpuTask, createCpuPool } from '@app/agent-sdk';
import { OrchestratorConfig } from '@app/config';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import { AgentRegistry } from '../agents/agent-registry.service';

export const CPU_TASKS_METRIC = 'cpu_pool_tasks_total';
export const CPU_TASK_RUN_METRIC = 'cpu_pool_task_run_seconds';
export const CPU_TASK_WAIT_METRIC = 'cpu_pool_task_wait_seconds';
export const CPU_POOL_RECYCLES_METRIC = 'cpu_pool_recycles_total';

/**
 * The orchestrator's worker-thread pool for agents' CPU-bound work, started warm with the modules
 * of every registered agent's `cpuTasks`, and closed after the steps in hand have finished.
 */
@Injectable()
export class AgentCpuPool implements OnApplicationShutdown {
  private readonly logger = new Logger(AgentCpuPool.name);
  private readonly pool: CpuPool;

  constructor(
    agents: AgentRegistry,
    config: OrchestratorConfig,
    @InjectMetric(CPU_TASKS_METRIC) tasks: Counter<string>,
    @InjectMetric(CPU_TASK_RUN_METRIC) runTime: Histogram<string>,
    @InjectMetric(CPU_TASK_WAIT_METRIC) waitTime: Histogram<string>,
    @InjectMetric(CPU_POOL_RECYCLES_METRIC) recycles: Counter<string>,
  ) {
    const warmTasks = agents.descriptors().flatMap((descriptor) => descriptor.cpuTasks ?? []);
    this.pool = createCpuPool({
      threads: config.CPU_POOL_THREADS,
      maxHeapMb: config.CPU_POOL_MAX_HEAP_MB,
      recycleHeapMb: config.CPU_POOL_RECYCLE_HEAP_MB,
      warmTasks,
      onTaskFinished: ({ task, outcome, runMs, waitMs }) => {
        tasks.inc({ task, outcome });
        runTime.observe({ task }, runMs / 1000);
        waitTime.observe({ task }, waitMs / 1000);
      },
      onRecycled: (reason) => {
        recycles.inc();
        this.logger.log(`recycled the CPU pool's threads: ${reason}`);
      },
    });
    this.logger.log(
      config.CPU_POOL_THREADS === 0
        ? 'CPU pool off (CPU_POOL_THREADS=0): agents run their CPU work on the event loop'
        : `CPU pool: ${config.CPU_POOL_THREADS} thread(s), heap ≤ ${config.CPU_POOL_MAX_HEAP_MB} MB each, warming ${warmTasks.map((task) => task.name).join(', ') || 'nothing'}`,
    );
  }

  run<Input, Output>(task: CpuTask<Input, Output>, input: Input, signal: AbortSignal): Promise<Output> {
    return this.pool.run(task, input, { signal });
  }

  state(): CpuPoolState {
    return this.pool.state();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
