import { randomUUID } from 'node:crypto';
import { inSpan } from '@app/agent-sdk';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisClient, createRedisConnection } from '@app/redis';
import { AgentWorkerHost } from '../../apps/orchestrator/src/workflows/agent-worker.host';
import { WorkflowProducer } from '../../test/support/workflow-producer';

/**
 * The real orchestrator (its Nest app) in the bench's own process, serving the agents of
 * `agentModules`, with workflows started straight into the store as the gateway would and their
 * completion heard through the worker's in-process hook, as raw BullMQ's is: no event parsing on
 * either side of a comparison.
 */
export class InProcessOrchestrator {
  private readonly waiting = new Map<string, () => void>();

  private constructor(
    private readonly app: INestApplicationContext,
    private readonly redis: RedisClient,
    private readonly producer: WorkflowProducer,
  ) {
    app
      .get(AgentWorkerHost)
      .worker.hooks.on('workflow.completed', ({ workflowId }) => this.waiting.get(workflowId)?.());
  }

  static async start(options: {
    prefix: string;
    redisUrl: string;
    agentModules: string;
    concurrency: number;
    /** STEP_QUEUE_PARTITIONS: 1 (the unsplit queues) unless given. */
    stepQueuePartitions?: number;
  }): Promise<InProcessOrchestrator> {
    Object.assign(process.env, {
      REDIS_URL: options.redisUrl,
      DATABASE_URL: 'postgres://unused@127.0.0.1:5432/unused',
      REDIS_PREFIX: options.prefix,
      AGENT_MODULES: options.agentModules,
      STEP_CONCURRENCY: String(options.concurrency),
      STEP_QUEUE_PARTITIONS: String(options.stepQueuePartitions ?? 1),
      LOG_LEVEL: 'silent',
      SITES_DIR: `/tmp/${options.prefix}-sites`,
    });
    const { OrchestratorModule } = await import('../../apps/orchestrator/src/orchestrator.module');
    const app = await NestFactory.createApplicationContext(OrchestratorModule, { logger: false });
    await app.init();
    const redis = createRedisConnection(options.redisUrl, `${options.prefix}-bench`);
    return new InProcessOrchestrator(
      app,
      redis,
      new WorkflowProducer(redis, options.redisUrl, options.prefix),
    );
  }

  /** A workflow type of `steps` steps of `agent`, each after the one before. */
  chain(agent: string, steps: number): ReturnType<WorkflowProducer['graph']> {
    return this.producer.graph({
      type: 'BENCH',
      description: '',
      steps: Array.from({ length: steps }, (_, i) => ({
        id: `s${i}`,
        agent,
        dependsOn: i ? [`s${i - 1}`] : [],
      })),
    });
  }

  /** Starts a workflow of `graph` and waits for it to complete. */
  async runOne(graph: ReturnType<WorkflowProducer['graph']>): Promise<void> {
    const workflowId = randomUUID();
    const done = new Promise<void>((resolve) => this.waiting.set(workflowId, resolve));
    // As the gateway does: the workflow's root span, which its steps continue (no-op with tracing off).
    await inSpan('start_workflow BENCH', {}, () => this.producer.start(graph, {}, workflowId));
    await done;
    this.waiting.delete(workflowId);
  }

  async close(): Promise<void> {
    await this.producer.close();
    await this.app.close();
    await this.redis.quit();
  }
}
