import { Module } from '@nestjs/common';
import { Agent } from '@app/agent-sdk';
import { createLlmClientFromEnv, createWebsiteAgents } from '@app/agents';
import { OrchestratorConfig } from '@app/config';
import { REDIS_CLIENT } from '@app/redis';
import Redis from 'ioredis';
import { resolve } from 'node:path';
import { AGENTS, AgentRegistry } from './agent-registry.service';

/** Loads `createAgents()` from each module listed in `AGENT_MODULES`. */
function loadAgentModules(list: string | undefined): Agent[] {
  if (!list) return [];
  return list
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)
    .flatMap((path) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(resolve(path)) as { createAgents?: () => Agent[] };
      if (typeof loaded.createAgents !== 'function') {
        throw new Error(`AGENT_MODULES: ${path} does not export createAgents()`);
      }
      return loaded.createAgents();
    });
}

@Module({
  providers: [
    {
      provide: AGENTS,
      inject: [REDIS_CLIENT, OrchestratorConfig],
      useFactory: (redis: Redis, config: OrchestratorConfig): Agent[] => [
        ...createWebsiteAgents({
          redis,
          keyPrefix: config.REDIS_PREFIX,
          sessionTtlHours: config.SESSION_TTL_HOURS,
          sitesDir: config.SITES_DIR,
          llm: createLlmClientFromEnv(config),
          auditThreshold: config.AUDIT_THRESHOLD,
        }),
        ...loadAgentModules(config.AGENT_MODULES),
      ],
    },
    AgentRegistry,
  ],
  exports: [AgentRegistry],
})
export class AgentsModule {}
