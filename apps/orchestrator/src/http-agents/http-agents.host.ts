import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Agent } from '@app/agent-sdk';
import { HttpAgentDefinition, createHttpAgent } from '@app/agent-sdk/http';
import {
  AgentWorker,
  CircuitBreakers,
  connectCircuitBreakers,
  createAgentWorker,
} from '@app/agent-sdk/worker';
import { OrchestratorConfig } from '@app/config';
import { parseBreakerConfiguration, parseBudgetDefaults, parseLimitOverrides } from '@app/flow-control';
import { HTTP_AGENTS_WORKER_NAME, HttpAgentRepository } from '@app/http-agent-store';
import { createRedisConnection, RedisClient } from '@app/redis';
import { AGENTS } from '../agents/agents.module';

/** How often the registry's version is read, in case a change's message was missed (Redis away). */
const VERSION_POLL_MS = 10_000;

/**
 * Serves every registered HTTP agent through the worker SDK: one agent worker of its own (named
 * {@link HTTP_AGENTS_WORKER_NAME}, CPU pool off: its steps wait on the network), announced like
 * any other, so the catalogue lists the agents and definitions may name them. When the registry
 * changes, a worker with the new set starts, then the old one closes gracefully: it takes no new
 * step and finishes those in hand. No HTTP agent registered, no worker.
 *
 * Every orchestrator replica runs one; they share the agents' queues like any workers. An HTTP
 * agent named like an agent this process serves otherwise (built in, `AGENT_MODULES`) is left out:
 * one process must not serve two agents on one queue, and the gateway refuses such a registration.
 *
 * Each agent's requests go through the circuit breaker of its host (`http:<host>`), one set of
 * breakers for every worker this host makes, so a probe the gate admitted is the request made.
 */
@Injectable()
export class HttpAgentsHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('HttpAgents');
  private readonly localAgentNames: ReadonlySet<string>;
  private readonly subscriber: RedisClient;
  private readonly breakers: CircuitBreakers;
  private worker: AgentWorker | null = null;
  /** The registry's version the worker was made from; null before the first load. */
  private servedVersion: number | null = null;
  /** Workers replaced and finishing their steps in hand. */
  private readonly retiring = new Set<Promise<void>>();
  /** Reloads run one after another. */
  private reloads: Promise<void> = Promise.resolve();
  private poll: NodeJS.Timeout | null = null;
  private isStopping = false;

  constructor(
    private readonly registry: HttpAgentRepository,
    @Inject(AGENTS) localAgents: Agent[],
    private readonly config: OrchestratorConfig,
  ) {
    this.localAgentNames = new Set(localAgents.map((agent) => agent.descriptor.name));
    this.subscriber = createRedisConnection(config.REDIS_URL, `${config.REDIS_PREFIX}-http-agent-changes`);
    this.breakers = connectCircuitBreakers({
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      // Checked at boot by OrchestratorConfig (IsBreakerConfiguration): parsing again cannot fail.
      settings: parseBreakerConfiguration(config.CIRCUIT_BREAKERS),
      logger: new Logger('CircuitBreakers'),
    });
  }

  /** Listens for changes first, then loads the registry, so no change falls between the two. */
  async onApplicationBootstrap(): Promise<void> {
    this.subscriber.on('message', () => void this.reload());
    await this.subscriber.subscribe(this.registry.changesChannel);
    await this.reload();
    this.poll = setInterval(() => void this.reload(), VERSION_POLL_MS);
    this.poll.unref();
  }

  /** Shutdown: no more reloads; the worker and any being replaced finish their steps in hand. */
  async onModuleDestroy(): Promise<void> {
    this.isStopping = true;
    if (this.poll) clearInterval(this.poll);
    await this.reloads;
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
    if (this.worker) this.retire(this.worker);
    this.worker = null;
    await Promise.all(this.retiring);
    await this.breakers.close();
  }

  /** Serves the registry's current set, once its version moved; never rejects. */
  private reload(): Promise<void> {
    this.reloads = this.reloads
      .then(() => this.serveCurrent())
      .catch((error: unknown) =>
        this.logger.error(`could not serve the registered HTTP agents: ${String(error)}`),
      );
    return this.reloads;
  }

  private async serveCurrent(): Promise<void> {
    if (this.isStopping || (await this.registry.version()) === this.servedVersion) return;
    const { version, definitions } = await this.registry.snapshot();
    const agents = this.agentsOf(definitions);
    const next = agents.length > 0 ? this.createWorker(agents) : null;
    try {
      await next?.start();
    } catch (error) {
      // The old worker goes on; the next change or poll tries again.
      await next?.close();
      throw error;
    }
    const previous = this.worker;
    this.worker = next;
    this.servedVersion = version;
    if (previous) this.retire(previous);
    const served = agents.map(({ descriptor }) => `${descriptor.name}@${descriptor.version}`);
    this.logger.log(
      `registry version ${version}: ${served.length > 0 ? `serving ${served.join(', ')}` : 'no HTTP agent to serve'}`,
    );
  }

  /** The agents of the definitions this process may serve. */
  private agentsOf(definitions: HttpAgentDefinition[]): Agent[] {
    return definitions.flatMap((definition) => {
      if (this.localAgentNames.has(definition.name)) {
        this.logger.warn(
          `HTTP agent ${definition.name} not served: this orchestrator serves an agent of that name already`,
        );
        return [];
      }
      try {
        return [
          createHttpAgent(definition, {
            allowPrivateNetworks: this.config.HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS,
            breakers: this.breakers,
          }),
        ];
      } catch (error) {
        this.logger.error(`HTTP agent ${definition.name} not served: ${String(error)}`);
        return [];
      }
    });
  }

  private createWorker(agents: Agent[]): AgentWorker {
    const { config } = this;
    return createAgentWorker({
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      agents,
      name: HTTP_AGENTS_WORKER_NAME,
      concurrency: config.HTTP_AGENT_CONCURRENCY,
      lockMs: config.STEP_LOCK_MS,
      maxRetries: config.MAX_RETRIES,
      defaultTimeoutSeconds: config.AGENT_TIMEOUT_SECONDS,
      workflowStateTtlHours: config.WORKFLOW_STATE_TTL_HOURS,
      // A workflow type's limits hold for its HTTP agents' steps too, overrides included.
      limitOverrides: parseLimitOverrides(config.FLOW_CONTROL_LIMITS),
      // Budgets hold for HTTP agents' steps too (their own model calls are theirs to report).
      budgetDefaults: parseBudgetDefaults(config.BUDGETS),
      cpuPool: { threads: 0 },
      circuitBreakers: this.breakers,
      logger: new Logger('HttpAgentWorker'),
    });
  }

  /** Closes a worker without waiting: its steps in hand may take up to their time limit. */
  private retire(worker: AgentWorker): void {
    const closed: Promise<void> = worker
      .close()
      .catch((error: unknown) => this.logger.error(`could not close worker ${worker.id}: ${String(error)}`))
      .finally(() => this.retiring.delete(closed));
    this.retiring.add(closed);
  }
}
