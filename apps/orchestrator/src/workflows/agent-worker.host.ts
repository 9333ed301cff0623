import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Agent, llmSettingsFromEnvironment } from '@app/agent-sdk';
import { AgentWorker, createAgentWorker } from '@app/agent-sdk/worker';
import { OrchestratorConfig } from '@app/config';
import { parseBreakerConfiguration, parseBudgetDefaults, parseLimitOverrides } from '@app/flow-control';
import { AGENTS } from '../agents/agents.module';

/**
 * The orchestrator's agent worker: the website agents (and `AGENT_MODULES`) served through the
 * worker SDK, as any agent service serves its own. It starts taking steps once the app is up.
 */
@Injectable()
export class AgentWorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  readonly worker: AgentWorker;

  constructor(@Inject(AGENTS) agents: Agent[], config: OrchestratorConfig) {
    this.worker = createAgentWorker({
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      agents,
      name: 'orchestrator',
      concurrency: config.STEP_CONCURRENCY,
      lockMs: config.STEP_LOCK_MS,
      maxRetries: config.MAX_RETRIES,
      defaultTimeoutSeconds: config.AGENT_TIMEOUT_SECONDS,
      workflowStateTtlHours: config.WORKFLOW_STATE_TTL_HOURS,
      // Checked at boot by OrchestratorConfig (IsLimitOverrides): parsing again cannot fail.
      limitOverrides: parseLimitOverrides(config.FLOW_CONTROL_LIMITS),
      // Checked at boot as well (IsBreakerConfiguration).
      breakerSettings: parseBreakerConfiguration(config.CIRCUIT_BREAKERS),
      // And BUDGETS (IsBudgetDefaults).
      budgetDefaults: parseBudgetDefaults(config.BUDGETS),
      cpuPool: {
        threads: config.CPU_POOL_THREADS,
        maxHeapMb: config.CPU_POOL_MAX_HEAP_MB,
        recycleHeapMb: config.CPU_POOL_RECYCLE_HEAP_MB,
      },
      // Checked at boot by OrchestratorConfig, so a mistake here has already stopped the app.
      llm: llmSettingsFromEnvironment(config),
      logger: new Logger('AgentWorker'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.worker.start();
  }

  /**
   * Shutdown begins: stop taking steps and finish the ones in hand now, while every connection is
   * still open (Nest closes workers only after the HTTP server, and Redis clients at the same time).
   */
  async onModuleDestroy(): Promise<void> {
    await this.worker.close();
  }
}
