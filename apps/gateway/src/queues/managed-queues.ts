import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { METRICS_EXECUTIONS_QUEUE, METRICS_LOGS_QUEUE } from '@app/contracts';
import { AgentDirectory, StepQueues } from '@app/workflow-store';
import { Queue } from 'bullmq';

/**
 * One queue as admins see it: an agent's step queue is one queue whatever the number of
 * partitions it is split into (StepQueuePartitions); each partition is a BullMQ queue.
 */
export interface ManagedQueue {
  name: string;
  partitions: Queue[];
}

/**
 * The queues admins can watch, pause and resume: the metrics service's, and the step queue of
 * every agent version some worker registered. The metrics queues must be in the gateway's
 * QueuesModule list.
 */
@Injectable()
export class ManagedQueues {
  /** The queues that always exist, whichever agents are registered. */
  readonly fixed: Queue[];

  constructor(
    @InjectQueue(METRICS_LOGS_QUEUE) logs: Queue,
    @InjectQueue(METRICS_EXECUTIONS_QUEUE) executions: Queue,
    private readonly steps: StepQueues,
    private readonly directory: AgentDirectory,
  ) {
    this.fixed = [logs, executions];
  }

  async all(): Promise<ManagedQueue[]> {
    const agents = await this.directory.catalogue();
    const stepQueues = await Promise.all(
      agents.map(async (agent) => ({
        name: agent.queue,
        partitions: await this.steps.partitionsOf(agent.queue),
      })),
    );
    return [...stepQueues, ...this.fixed.map((queue) => ({ name: queue.name, partitions: [queue] }))];
  }
}
