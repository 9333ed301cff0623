import { Module } from '@nestjs/common';
import { Agent } from '@app/agent-sdk';
import { createWebsiteAgents } from '@app/agents';
import { OrchestratorConfig } from '@app/config';
import { REDIS_CLIENT, RedisClient } from '@app/redis';
import { loadAgentModules } from './agent-modules.loader';

/** Injection token of the agents this orchestrator serves: the website agents and `AGENT_MODULES`. */
export const AGENTS = Symbol('AGENTS');

@Module({
  providers: [
    {
      provide: AGENTS,
      inject: [REDIS_CLIENT, OrchestratorConfig],
      useFactory: (redis: RedisClient, config: OrchestratorConfig): Agent[] => [
        ...createWebsiteAgents({
          redis,
          keyPrefix: config.REDIS_PREFIX,
          sessionTtlHours: config.SESSION_TTL_HOURS,
          sitesDir: config.SITES_DIR,
          auditThreshold: config.AUDIT_THRESHOLD,
        }),
        ...loadAgentModules(config.AGENT_MODULES),
      ],
    },
  ],
  exports: [AGENTS],
})
export class AgentsModule {}
