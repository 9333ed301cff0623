import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { WorkflowDefinition, WorkflowEvent, WorkflowStatus } from '@app/contracts';
import {
  WorkflowGraph,
  WorkflowStore,
  compileWorkflowGraph,
  pinWorkflowGraph,
  StepQueuePartitions,
  StepQueues,
  parseEventMessage,
  traceParentOf,
  subscribeToWorkflowEvents,
} from '@app/workflow-store';
import { FairShare, FlowControlKeys, FlowControlRedis } from '@app/flow-control';
import { RedisClient, createRedisConnection } from '@app/redis';

/**
 * Starts workflows the way the gateway does (a PENDING state in Redis, then its root steps on
 * their agents' queues) and watches their events on the store's channel, for tests and
 * benchmarks that drive orchestrators without a gateway.
 */
export class WorkflowProducer {
  readonly store: WorkflowStore;
  private readonly queues: StepQueues;
  private readonly subscriber: RedisClient;
  private readonly waiters = new Map<string, (event: WorkflowEvent) => void>();
  private readonly terminal = new Map<string, WorkflowEvent>();

  constructor(redis: RedisClient, redisUrl: string, prefix: string) {
    this.store = new WorkflowStore(redis, { prefix, finishedTtlSeconds: 3600 });
    const connection = createRedisConnection(redisUrl, `${prefix}-producer-queues`);
    // Fault specs cut Redis on purpose; the connection comes back by itself, so its errors are noise.
    connection.on('error', () => undefined);
    // Fair sharing as the gateway queues: each job carries its tenant and priority.
    this.queues = new StepQueues(
      connection,
      prefix,
      new StepQueuePartitions(redis, this.store.keys),
      undefined,
      new FairShare(new FlowControlRedis(redis), new FlowControlKeys(prefix)),
    );
    this.subscriber = createRedisConnection(redisUrl, `${prefix}-producer-events`);
  }

  async listen(onEvent?: (event: WorkflowEvent) => void): Promise<this> {
    await subscribeToWorkflowEvents(this.subscriber, this.store.eventsChannels, (message) => {
      for (const event of parseEventMessage(message)) {
        onEvent?.(event);
        if (event.type === 'complete' || event.type === 'error') {
          this.terminal.set(event.workflowId, event);
          this.waiters.get(event.workflowId)?.(event);
        }
      }
    });
    return this;
  }

  graph(definition: WorkflowDefinition): WorkflowGraph {
    return pinWorkflowGraph(
      compileWorkflowGraph(definition, () => null),
      () => 1,
    );
  }

  async start(
    graph: WorkflowGraph,
    input: Record<string, unknown> = {},
    workflowId = randomUUID(),
    {
      tenantId = 'test',
      priority = 3,
      type = 'TEST',
    }: { tenantId?: string; priority?: number; type?: string } = {},
  ): Promise<string> {
    const { readySteps } = await this.store.create(
      {
        workflowId,
        type,
        tenantId,
        priority,
        sessionId: 'test',
        input,
        preferences: {},
        // Started inside a span (the engine bench with tracing on), the workflow joins its trace.
        traceparent: traceParentOf(trace.getActiveSpan()?.spanContext()),
      },
      graph,
    );
    await this.queues.add(workflowId, readySteps, undefined, { tenantId, priority });
    return workflowId;
  }

  /** Resolves with the workflow's terminal event. */
  finished(workflowId: string): Promise<WorkflowEvent> {
    const seen = this.terminal.get(workflowId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.set(workflowId, resolve));
  }

  async status(workflowId: string): Promise<WorkflowStatus | undefined> {
    return (await this.store.get(workflowId))?.status;
  }

  async close(): Promise<void> {
    await Promise.all([this.queues.close(), this.subscriber.quit()]);
  }
}
