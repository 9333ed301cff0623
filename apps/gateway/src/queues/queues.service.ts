import { Injectable, NotFoundException } from '@nestjs/common';
import { ManagedQueue, ManagedQueues } from './managed-queues';
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
    await Promise.all(queue.partitions.map((partition) => partition.pause()));
    return this.statusOf(queue);
  }

  async resume(name: string): Promise<QueueStatus> {
    const queue = await this.find(name);
    await Promise.all(queue.partitions.map((partition) => partition.resume()));
    return this.statusOf(queue);
  }

  private async find(name: string): Promise<ManagedQueue> {
    const queues = await this.queues.all();
    const queue = queues.find((candidate) => candidate.name === name);
    if (!queue) {
      throw new NotFoundException(
        `queue ${name} does not exist; queues: ${queues.map((known) => known.name).join(', ')}`,
      );
    }
    return queue;
  }

  /** Counts summed over the queue's partitions; paused when every partition is. */
  private async statusOf(queue: ManagedQueue): Promise<QueueStatus> {
    const partitions = await Promise.all(
      queue.partitions.map((partition) =>
        Promise.all([partition.getJobCounts(...COUNTED_JOB_STATES), partition.isPaused()]),
      ),
    );
    const counts = Object.fromEntries(
      COUNTED_JOB_STATES.map((state) => [
        state,
        partitions.reduce((sum, [each]) => sum + (each[state] ?? 0), 0),
      ]),
    ) as QueueStatus['counts'];
    return {
      name: queue.name,
      partitions: partitions.length,
      isPaused: partitions.every(([, isPaused]) => isPaused),
      counts,
    };
  }
}
