import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AgentDirectory } from '@app/workflow-store';
import { Gauge, register } from 'prom-client';

export const AGENT_WORKERS_METRIC = 'agent_live_workers';

/**
 * Live workers per agent version, read from the agent directory at scrape time, for the alert
 * on an agent nobody serves. Every gateway replica reports the same figures: use max().
 */
@Injectable()
export class AgentWorkersMetrics implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly directory: AgentDirectory) {}

  onModuleInit(): void {
    const directory = this.directory;
    new Gauge({
      name: AGENT_WORKERS_METRIC,
      help: 'Workers alive (heartbeating) for each registered agent version',
      labelNames: ['agent', 'major', 'queue'],
      async collect(this: Gauge<string>) {
        const agents = await directory.catalogue();
        this.reset();
        for (const agent of agents) {
          this.set({ agent: agent.name, major: String(agent.major), queue: agent.queue }, agent.liveWorkers);
        }
      },
    });
  }

  onModuleDestroy(): void {
    register.removeSingleMetric(AGENT_WORKERS_METRIC);
  }
}
