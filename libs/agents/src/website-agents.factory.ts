import { Agent } from '@app/agent-sdk';
import { RedisClient } from '@app/redis';
import { AuditAgent } from './audit/audit.agent';
import { BuilderAgent } from './builder/builder.agent';
import { ContentAgent } from './content/content.agent';
import { DeployAgent } from './deploy/deploy.agent';
import { SiteRepository } from '@app/sites';
import { DesignAgent } from './design/design.agent';
import { MemoryAgent } from './memory/memory.agent';
import { SessionMemoryStore } from './memory/session-memory.store';
import { PlannerAgent } from './planner/planner.agent';

export interface WebsiteAgentsOptions {
  redis: RedisClient;
  /** Prefix of the session memory's Redis keys. */
  keyPrefix: string;
  /** `SESSION_TTL_HOURS`. */
  sessionTtlHours: number;
  /** Where published sites live. */
  sitesDir: string;
  /** Lowest audit score that may be published; default 70. */
  auditThreshold?: number;
  /** Largest total size of a site; default 500 kB. */
  sizeBudgetBytes?: number;
}

/**
 * The seven agents of the built-in website workflows (memory, planner, content, design, builder,
 * audit, deploy, in that order), wired over one Redis connection and one sites directory. The
 * planner and content ask the language model of their step (`context.llm`), which the worker's
 * `LLM_*` configuration chooses; they bring their rules for the offline provider. The
 * gateway serves the published sites with its own `SiteRepository` over the same directory.
 */
export function createWebsiteAgents(options: WebsiteAgentsOptions): Agent[] {
  const store = new SessionMemoryStore({
    redis: options.redis,
    keyPrefix: options.keyPrefix,
    ttlHours: options.sessionTtlHours,
  });
  const repository = new SiteRepository({ sitesDir: options.sitesDir });
  return [
    new MemoryAgent({ store }),
    new PlannerAgent(),
    new ContentAgent(),
    new DesignAgent(),
    new BuilderAgent(),
    new AuditAgent({
      repository,
      threshold: options.auditThreshold,
      sizeBudgetBytes: options.sizeBudgetBytes,
    }),
    new DeployAgent({ repository, store }),
  ];
}
