import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { ManagedQueues } from '../queues/managed-queues';

export const QUEUE_JOBS_METRIC = 'bullmq_job_count';

/** One sample line of BullMQ's export: `bullmq_job_count{queue="…", state="…"} 3`. */
const JOB_COUNT_LINE = /^bullmq_job_count\{queue="((?:[^"\\]|\\.)*)", state="([a-z-]+)"\} (\d+)$/;

/**
 * The depth of every managed queue (each agent's step queues and the metrics service's) by state,
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
          (await queues.all()).map((queue) => queue.exportPrometheusMetrics()),
        );
        this.reset();
        for (const line of exports.join('\n').split('\n')) {
          const match = JOB_COUNT_LINE.exec(line);
          if (match) this.set({ queue: match[1].replace(/\\(.)/g, '$1'), state: match[2] }, Number(match[3]));
        }
      },
    });
  }

  onModuleDestroy(): void {
    register.removeSingleMetric(QUEUE_JOBS_METRIC);
  }
}
