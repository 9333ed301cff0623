import { Injectable, NotFoundException } from '@nestjs/common';
import { Queue } from 'bullmq';
import { ManagedQueues } from './managed-queues';
import { COUNTED_JOB_STATES, QueueStatus } from './queue-status.dto';

/** Job counts of the system's queues, and pausing them (workers finish running jobs, take no new ones). */
@Injectable()
export class QueuesService {
  constructor(private readonly queues: ManagedQueues) {}

  async list(): Promise<QueueStatus[]> {
    return Promise.all((await this.queues.all()).map((queue) => this.statusOf(queue)));
  }

  async pause(name: string): Promise<QueueStatus> {
    const queue = await this.find(name);
    await queue.pause();
    return this.statusOf(queue);
  }

  async resume(name: string): Promise<QueueStatus> {
    const queue = await this.find(name);
    await queue.resume();
    return this.statusOf(queue);
  }

  private async find(name: string): Promise<Queue> {
    const queues = await this.queues.all();
    const queue = queues.find((candidate) => candidate.name === name);
    if (!queue) {
      throw new NotFoundException(
        `queue ${name} does not exist; queues: ${queues.map((known) => known.name).join(', ')}`,
      );
    }
    return queue;
  }

  private async statusOf(queue: Queue): Promise<QueueStatus> {
    const [counts, isPaused] = await Promise.all([
      queue.getJobCounts(...COUNTED_JOB_STATES),
      queue.isPaused(),
    ]);
    return { name: queue.name, isPaused, counts: counts as QueueStatus['counts'] };
  }
}
