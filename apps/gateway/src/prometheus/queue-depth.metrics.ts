import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { ManagedQueues } from '../queues/managed-queues';

export const QUEUE_JOBS_METRIC = 'bullmq_job_count';

/** One sample line of BullMQ's export: `bullmq_job_count{queue="…", state="…"} 3`. */
const JOB_COUNT_LINE = /^bullmq_job_count\{queue="((?:[^"\\]|\\.)*)", state="([a-z-]+)"\} (\d+)$/;

/**
 * The depth of every managed queue (each agent's step queue, its partitions summed, and the metrics service's) by state,
 * read at scrape time through BullMQ's own Prometheus export. Every gateway replica reports the
 * same figures: aggregate them with max(), not sum().
 */
@Injectable()
export class QueueDepthMetrics implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly queues: ManagedQueues) {}

  onModuleInit(): void {
    const queues = this.queues;
    new Gauge({
      name: QUEUE_JOBS_METRIC,
      help: 'Jobs in the queue by state (BullMQ export)',
      labelNames: ['queue', 'state'],
      async collect(this: Gauge<string>) {
        const exports = await Promise.all(
          (await queues.all()).flatMap(({ partitions }) =>
            partitions.map((queue) => queue.exportPrometheusMetrics()),
          ),
        );
        // A partitioned step queue's partitions share its name: their counts add up.
        const depths = new Map<string, { queue: string; state: string; count: number }>();
        for (const line of exports.join('\n').split('\n')) {
          const match = JOB_COUNT_LINE.exec(line);
          if (!match) continue;
          const [queue, state] = [match[1].replace(/\\(.)/g, '$1'), match[2]];
          const depth = depths.get(`${queue} ${state}`) ?? { queue, state, count: 0 };
          depth.count += Number(match[3]);
          depths.set(`${queue} ${state}`, depth);
        }
        this.reset();
        for (const { queue, state, count } of depths.values()) this.set({ queue, state }, count);
      },
    });
  }

  onModuleDestroy(): void {
    register.removeSingleMetric(QUEUE_JOBS_METRIC);
  }
}
