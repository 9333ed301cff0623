import { batch, signal } from '@preact/signals';
import { describeError } from '../../api/api-error';
import type { AgentMetricsSummary, MetricsTrends, RegisteredAgent } from '../../api/types';
import { api } from '../../session';

export const AGENT_RANGES = [
  { value: 'hour', label: 'Last hour', milliseconds: 3_600_000 },
  { value: 'day', label: 'Last day', milliseconds: 86_400_000 },
  { value: 'week', label: 'Last week', milliseconds: 7 * 86_400_000 },
] as const;
export type AgentRange = (typeof AGENT_RANGES)[number]['value'];

/** Registered agents, their figures over the chosen range, and the trends over it. */
export class AgentsStore {
  readonly agents = signal<RegisteredAgent[] | null>(null);
  readonly metrics = signal<AgentMetricsSummary | null>(null);
  readonly trends = signal<MetricsTrends | null>(null);
  readonly error = signal<string | null>(null);
  readonly trendsError = signal<string | null>(null);

  async load(range: AgentRange): Promise<void> {
    const span = AGENT_RANGES.find((candidate) => candidate.value === range)?.milliseconds ?? 86_400_000;
    const to = new Date();
    const from = new Date(to.getTime() - span).toISOString();
    this.error.value = null;
    this.trendsError.value = null;
    const [agents, metrics, trends] = await Promise.allSettled([
      api.agents(),
      api.agentMetrics({ from, to: to.toISOString() }),
      api.trends({ from, to: to.toISOString(), interval: 'hour' }),
    ]);
    batch(() => {
      if (agents.status === 'fulfilled') this.agents.value = agents.value;
      else this.error.value = describeError(agents.reason);
      if (metrics.status === 'fulfilled') this.metrics.value = metrics.value;
      else this.error.value = describeError(metrics.reason);
      if (trends.status === 'fulfilled') this.trends.value = trends.value;
      else this.trendsError.value = describeError(trends.reason);
    });
  }
}
