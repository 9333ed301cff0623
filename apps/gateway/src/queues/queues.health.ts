import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ManagedQueues } from './managed-queues';

/**
 * Readiness: the fixed queues answer a count within a second (there is no terminus indicator for
 * BullMQ). The agents' step queues live on the same Redis, so they are not asked one by one.
 */
@Injectable()
export class QueuesHealthIndicator {
  constructor(
    private readonly managed: ManagedQueues,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'queues'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const queues = this.managed.fixed;
    const results = await Promise.allSettled(
      queues.map(async (queue) => {
        await Promise.race([
          queue.getJobCounts('waiting'),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('no answer within 1 s')), 1000).unref(),
          ),
        ]);
      }),
    );
    const down = queues
      .map((queue, index) => ({ queue, result: results[index] }))
      .filter(({ result }) => result.status === 'rejected')
      .map(({ queue }) => queue.name);
    return down.length === 0
      ? indicator.up()
      : indicator.down({ message: `unreachable: ${down.join(', ')}` });
  }
}
