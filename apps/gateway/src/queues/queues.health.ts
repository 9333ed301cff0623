import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { MANAGED_QUEUES } from './managed-queues';

/** Readiness: every queue answers a count within a second (there is no terminus indicator for BullMQ). */
@Injectable()
export class QueuesHealthIndicator {
  constructor(
    @Inject(MANAGED_QUEUES) private readonly queues: Queue[],
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'queues'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const results = await Promise.allSettled(
      this.queues.map(async (queue) => {
        await Promise.race([
          queue.getJobCounts('waiting'),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('no answer within 1 s')), 1000).unref(),
          ),
        ]);
      }),
    );
    const down = this.queues
      .map((queue, index) => ({ queue, result: results[index] }))
      .filter(({ result }) => result.status === 'rejected')
      .map(({ queue }) => queue.name);
    return down.length === 0
      ? indicator.up()
      : indicator.down({ message: `unreachable: ${down.join(', ')}` });
  }
}
