import { useEffect, useMemo } from 'preact/hooks';
import type { AgentMetrics, MetricsTrends, RegisteredAgent } from '../../api/types';
import { Notice } from '../../components/notice';
import { location, setQuery } from '../../router';
import { formatDuration } from '../run/run-model';
import { AGENT_RANGES, type AgentRange, AgentsStore } from './agents.store';
import { TrendChart, type TrendSeries } from './trend-chart';
import { CellLabel, TableScroll } from '../../components/table-scroll';

function percent(rate: number | undefined): string {
  return rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}

/** The table's columns after the agent's name: its header, and each agent's value. */
const FIGURE_COLUMNS: {
  label: string;
  valueOf: (agent: RegisteredAgent, figures?: AgentMetrics) => string | number;
}[] = [
  { label: 'Version', valueOf: (agent) => agent.version },
  {
    label: 'Live workers',
    valueOf: (agent) => (agent.liveWorkers === 0 ? '0 (steps wait)' : agent.liveWorkers),
  },
  { label: 'Executions', valueOf: (_, figures) => figures?.executionCount ?? 0 },
  { label: 'Success', valueOf: (_, figures) => percent(figures?.successRate) },
  { label: 'Errors', valueOf: (_, figures) => percent(figures?.errorRate) },
  { label: 'p95', valueOf: (_, figures) => formatDuration(figures?.p95DurationMs) },
];

export function AgentsView() {
  const store = useMemo(() => new AgentsStore(), []);
  const asked = location.value.query.get('range');
  const range: AgentRange = AGENT_RANGES.some((candidate) => candidate.value === asked)
    ? (asked as AgentRange)
    : 'day';
  useEffect(() => void store.load(range), [range]);
  const agents = store.agents.value;
  const metrics = store.metrics.value;
  const byName = new Map<string, AgentMetrics>((metrics?.agents ?? []).map((one) => [one.agent, one]));

  return (
    <section aria-labelledby="agents-title">
      <div class="view-header">
        <h1 id="agents-title">Agents</h1>
        <div class="field inline">
          <label for="agents-range">Range</label>
          <select
            id="agents-range"
            value={range}
            onChange={(event) => setQuery(new URLSearchParams({ range: event.currentTarget.value }))}
          >
            {AGENT_RANGES.map((candidate) => (
              <option key={candidate.value} value={candidate.value}>
                {candidate.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {asked && asked !== range && (
        <Notice kind="warning">Ignored range={asked.slice(0, 40)}; showing the last day.</Notice>
      )}
      {store.error.value && <Notice kind="error">{store.error.value}</Notice>}
      {metrics && (
        <p class="summary-line">
          Over this range: {metrics.overall.executionCount} executions, {percent(metrics.overall.successRate)}{' '}
          success, {percent(metrics.overall.errorRate)} errors, p95{' '}
          {formatDuration(metrics.overall.p95DurationMs)}.
        </p>
      )}
      {!agents && !store.error.value && <p role="status">Loading agents…</p>}
      {agents && (
        <TableScroll label="Agents" stacksOnPhone>
          <table class="table" data-testid="agents-table">
            <caption class="visually-hidden">Registered agents and their figures over the range</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                {FIGURE_COLUMNS.map((column) => (
                  <th scope="col" key={column.label}>
                    {column.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {agents.map((agent) => {
                const figures = byName.get(agent.name);
                return (
                  <tr key={`${agent.name}@${agent.version}`} data-nav-item tabIndex={-1}>
                    <th scope="row">
                      {agent.name}
                      <span class="hint block">{agent.description}</span>
                    </th>
                    {FIGURE_COLUMNS.map((column) => (
                      <td key={column.label}>
                        <CellLabel>{column.label}</CellLabel>
                        {column.valueOf(agent, figures)}
                      </td>
                    ))}
                  </tr>
                );
              })}
              {agents.length === 0 && (
                <tr>
                  <td colSpan={FIGURE_COLUMNS.length + 1}>
                    No agent is registered: no worker has announced one.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h2>Trends</h2>
      {store.trendsError.value && <Notice kind="error">Trends unavailable: {store.trendsError.value}</Notice>}
      {store.trends.value && <Trends trends={store.trends.value} />}
    </section>
  );
}

function Trends({ trends }: { trends: MetricsTrends }) {
  const charts = useMemo(() => {
    const times = trends.executions.map((point) => Date.parse(point.bucket) / 1000);
    const executions: TrendSeries[] = [
      {
        label: 'Executions',
        values: trends.executions.map((point) => point.executions),
        colorVariable: '--chart-1',
      },
      { label: 'Errors', values: trends.executions.map((point) => point.errors), colorVariable: '--chart-2' },
    ];
    const durations: TrendSeries[] = [
      {
        label: 'Average duration (ms)',
        values: trends.executions.map((point) => point.averageDurationMs),
        colorVariable: '--chart-3',
      },
    ];
    const logTimes = trends.logsByLevel.map((point) => Date.parse(point.bucket) / 1000);
    const logs: TrendSeries[] = [
      {
        label: 'Warnings',
        values: trends.logsByLevel.map((point) => point.warning),
        colorVariable: '--chart-4',
      },
      { label: 'Errors', values: trends.logsByLevel.map((point) => point.error), colorVariable: '--chart-2' },
    ];
    return { times, executions, durations, logTimes, logs };
  }, [trends]);
  if (charts.times.length === 0) return <p class="muted">No executions in this range.</p>;
  return (
    <div class="charts">
      <TrendChart title="Executions and errors per hour" times={charts.times} series={charts.executions} />
      <TrendChart title="Average duration per hour" times={charts.times} series={charts.durations} />
      <TrendChart title="Log warnings and errors per hour" times={charts.logTimes} series={charts.logs} />
    </div>
  );
}
