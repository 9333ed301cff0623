import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Agent, AgentDescriptor } from '@app/agent-sdk';
import { OrchestratorConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import Redis from 'ioredis';

export const AGENTS = Symbol('AGENTS');

/**
 * The agents this orchestrator can run, by name. At boot it publishes their descriptors to Redis
 * so the gateway can list them and check registered workflow definitions against them.
 */
@Injectable()
export class AgentRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger(AgentRegistry.name);
  private readonly agents = new Map<string, Agent>();

  constructor(
    @Inject(AGENTS) agents: Agent[],
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly config: OrchestratorConfig,
  ) {
    for (const agent of agents) this.register(agent);
  }

  /** Adds an agent; a second agent with the same name is a programming error. */
  register(agent: Agent): void {
    const { name } = agent.descriptor;
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(name)) throw new Error(`agent name "${name}" must be kebab-case`);
    if (this.agents.has(name)) throw new Error(`agent "${name}" is registered twice`);
    this.agents.set(name, agent);
  }

  get(name: string): Agent | undefined {
    return this.agents.get(name);
  }

  descriptors(): AgentDescriptor[] {
    return [...this.agents.values()].map((agent) => agent.descriptor);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Where an agent's CPU tasks live on this machine is this process's business, not the API's.
    const entries = this.descriptors().flatMap(({ cpuTasks: _local, ...published }) => [
      published.name,
      JSON.stringify(published),
    ]);
    if (entries.length > 0) await this.redis.hset(`${this.config.REDIS_PREFIX}:agents`, ...entries);
    this.logger.log(`registered agents: ${[...this.agents.keys()].join(', ')}`);
  }
}
