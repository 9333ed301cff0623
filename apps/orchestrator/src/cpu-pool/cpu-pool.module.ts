import { Module } from '@nestjs/common';
import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { CpuPoolState } from '@app/agent-sdk';
import { Gauge, register } from 'prom-client';
import { AgentsModule } from '../agents/agents.module';
import {
  AgentCpuPool,
  CPU_POOL_RECYCLES_METRIC,
  CPU_TASK_RUN_METRIC,
  CPU_TASK_WAIT_METRIC,
  CPU_TASKS_METRIC,
} from './agent-cpu-pool.service';

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60];
const POOL_STATE_GAUGES = 'CPU_POOL_STATE_GAUGES';

@Module({
  imports: [AgentsModule],
  providers: [
    AgentCpuPool,
    makeCounterProvider({
      name: CPU_TASKS_METRIC,
      help: 'CPU tasks the pool ran, by task and outcome (success, error, aborted, crashed)',
      labelNames: ['task', 'outcome'],
    }),
    makeHistogramProvider({
      name: CPU_TASK_RUN_METRIC,
      help: 'Time a CPU task ran in its thread',
      labelNames: ['task'],
      buckets: SECONDS_BUCKETS,
    }),
    makeHistogramProvider({
      name: CPU_TASK_WAIT_METRIC,
      help: 'Time a CPU task waited for a free thread',
      labelNames: ['task'],
      buckets: SECONDS_BUCKETS,
    }),
    makeCounterProvider({
      name: CPU_POOL_RECYCLES_METRIC,
      help: "Times the pool's threads were replaced because a heap kept growing",
    }),
    {
      // Read from the pool when Prometheus scrapes, so they are never stale.
      provide: POOL_STATE_GAUGES,
      inject: [AgentCpuPool],
      useFactory: (pool: AgentCpuPool): Gauge[] => {
        const gauges: { name: string; help: string; read: (state: CpuPoolState) => number }[] = [
          {
            name: 'cpu_pool_threads',
            help: 'Worker threads of the CPU pool',
            read: (state) => state.threads,
          },
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
        return gauges.map(
          ({ name, help, read }) =>
            new Gauge({
              name,
              help,
              registers: [register],
              collect(this: Gauge) {
                this.set(read(pool.state()));
              },
            }),
        );
      },
    },
  ],
  exports: [AgentCpuPool],
})
export class CpuPoolModule {}
