import { Provider } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { METRICS_EXECUTIONS_QUEUE, METRICS_LOGS_QUEUE, WORKFLOW_STEPS_QUEUE } from '@app/contracts';
import { Queue } from 'bullmq';

/** The queues admins can watch, pause and resume; each must be in the gateway's QueuesModule list. */
export const MANAGED_QUEUE_NAMES = [
  WORKFLOW_STEPS_QUEUE,
  METRICS_LOGS_QUEUE,
  METRICS_EXECUTIONS_QUEUE,
] as const;

export const MANAGED_QUEUES = Symbol('MANAGED_QUEUES');

export const managedQueuesProvider: Provider = {
  provide: MANAGED_QUEUES,
  inject: MANAGED_QUEUE_NAMES.map((name) => getQueueToken(name)),
  useFactory: (...queues: Queue[]): Queue[] => queues,
};
