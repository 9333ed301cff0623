import { randomUUID } from 'node:crypto';
import { AgentExecution, LogLevel } from '@app/contracts';
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, TestNamespace } from '../../../test/support/test-environment';
import { AgentExecutionsRepository } from './agent-executions.repository';
import { dataSourceOptions } from './data-source-options';
import { LogEntriesRepository } from './log-entries.repository';

function execution(
  fields: Partial<AgentExecution> & Pick<AgentExecution, 'agent' | 'finishedAt'>,
): AgentExecution {
  return {
    id: randomUUID(),
    workflowId: randomUUID(),
    workflowType: 'CREATE_SITE',
    stepId: fields.agent,
    attempt: 1,
    outcome: 'success',
    errorKind: null,
    durationMs: 100,
    startedAt: fields.finishedAt,
    ...fields,
  };
}

/** The linear interpolation percentile_cont uses: position p·(n−1) in the sorted values. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

describe('AgentExecutionsRepository (real PostgreSQL)', () => {
  const namespace = new TestNamespace();
  let dataSource: DataSource;
  let repository: AgentExecutionsRepository;

  beforeAll(async () => {
    await namespace.prepare();
    const options = dataSourceOptions({
      url: TEST_DATABASE_URL,
      schema: namespace.schema,
      applicationName: 'spec',
    });
    // A session far from UTC: buckets must still be UTC hours and days.
    dataSource = await new DataSource({
      ...options,
      extra: { options: `-c search_path=${namespace.schema} -c timezone=Pacific/Chatham` },
    } as typeof options).initialize();
    repository = new AgentExecutionsRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await namespace.dispose();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE agent_executions, log_entries, log_level_counts');
  });

  describe('the summary, against a known set of executions', () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 12, minute)).toISOString();
    // planner: 20 executions, 5 errors, durations 100..2000 ms; content: 3, all successes.
    const planner = Array.from({ length: 20 }, (_, index) =>
      execution({
        agent: 'planner',
        durationMs: (index + 1) * 100,
        outcome: index % 4 === 3 ? 'error' : 'success',
        errorKind: index % 4 === 3 ? 'network' : null,
        finishedAt: at(index),
      }),
    );
    const content = [50, 70, 3000].map((durationMs, index) =>
      execution({ agent: 'content', durationMs, finishedAt: at(30 + index) }),
    );

    beforeEach(async () => {
      expect(await repository.insertMany([...planner, ...content])).toHaveLength(23);
      expect(await repository.insertMany(planner)).toEqual([]);
    });

    it('counts, rates, total and average duration, p50/p95/p99 and the last execution, per agent and overall', async () => {
      const summary = await repository.getAgentMetricsSummary();
      const plannerDurations = planner.map((item) => item.durationMs);
      expect(summary.agents.map((agent) => agent.agent)).toEqual(['content', 'planner']);
      const plannerFigures = summary.agents[1];
      expect(plannerFigures).toMatchObject({
        executionCount: 20,
        successCount: 15,
        errorCount: 5,
        successRate: 0.75,
        errorRate: 0.25,
        totalDurationMs: 21_000,
        averageDurationMs: 1050,
        lastExecutionAt: at(19),
      });
      expect(plannerFigures.p50DurationMs).toBeCloseTo(percentile(plannerDurations, 0.5), 6);
      expect(plannerFigures.p95DurationMs).toBeCloseTo(1905, 6);
      expect(plannerFigures.p95DurationMs).toBeCloseTo(percentile(plannerDurations, 0.95), 6);
      expect(plannerFigures.p99DurationMs).toBeCloseTo(percentile(plannerDurations, 0.99), 6);
      const allDurations = [...plannerDurations, 50, 70, 3000];
      expect(summary.overall).toMatchObject({
        executionCount: 23,
        successCount: 18,
        errorCount: 5,
        totalDurationMs: 24_120,
        lastExecutionAt: at(32),
      });
      expect(summary.overall.errorRate).toBeCloseTo(5 / 23, 10);
      expect(summary.overall.averageDurationMs).toBeCloseTo(24_120 / 23, 6);
      expect(summary.overall.p95DurationMs).toBeCloseTo(percentile(allDurations, 0.95), 6);
    });

    it('limits the summary to executions finished in [from, to)', async () => {
      const summary = await repository.getAgentMetricsSummary({ from: at(10), to: at(31) });
      expect(summary.agents.map((agent) => [agent.agent, agent.executionCount])).toEqual([
        ['content', 1],
        ['planner', 10],
      ]);
      expect(summary.overall.executionCount).toBe(11);
    });

    it('answers zeros, not nulls, when there is nothing in the range', async () => {
      const summary = await repository.getAgentMetricsSummary({ from: at(40), to: at(50) });
      expect(summary.agents).toEqual([]);
      expect(summary.overall).toMatchObject({
        executionCount: 0,
        errorRate: 0,
        p95DurationMs: 0,
        lastExecutionAt: null,
      });
    });
  });

  describe('trends', () => {
    // Around midnight UTC between 24 and 25 November 2026.
    const utc = (day: number, hour: number, minute = 0) =>
      new Date(Date.UTC(2026, 10, day, hour, minute)).toISOString();
    const executions = [
      execution({ agent: 'planner', finishedAt: utc(24, 22, 10), durationMs: 100 }),
      execution({
        agent: 'planner',
        finishedAt: utc(24, 23, 59),
        durationMs: 300,
        outcome: 'error',
        errorKind: 'llm',
      }),
      execution({
        agent: 'design',
        finishedAt: utc(24, 23, 30),
        durationMs: 500,
        outcome: 'error',
        errorKind: 'timeout',
      }),
      execution({ agent: 'planner', finishedAt: utc(25, 0, 0), durationMs: 1000 }),
      execution({
        agent: 'design',
        finishedAt: utc(25, 0, 45),
        durationMs: 2000,
        outcome: 'error',
        errorKind: 'network',
      }),
      execution({ agent: 'planner', finishedAt: utc(25, 2, 0), durationMs: 9999 }), // outside [from, to)
    ];
    const from = utc(24, 22);
    const to = utc(25, 2);

    beforeEach(async () => {
      await repository.insertMany(executions);
      const level = (index: number) => [LogLevel.Info, LogLevel.Error, LogLevel.Warning][index % 3];
      await new LogEntriesRepository(dataSource).insertMany(
        [utc(24, 23, 0), utc(24, 23, 59), utc(25, 0, 0), utc(25, 1, 30), utc(25, 2, 0)].map(
          (timestamp, index) => ({
            id: randomUUID(),
            timestamp,
            level: level(index),
            workflowId: null,
            agent: null,
            message: 'x',
            metadata: {},
          }),
        ),
      );
    });

    it('buckets by UTC hour across midnight, with a point for every hour', async () => {
      const trends = await repository.getMetricsTrends({ from, to, interval: 'hour' });
      expect(trends.executions).toEqual([
        { bucket: utc(24, 22), executions: 1, errors: 0, averageDurationMs: 100 },
        { bucket: utc(24, 23), executions: 2, errors: 2, averageDurationMs: 400 },
        { bucket: utc(25, 0), executions: 2, errors: 1, averageDurationMs: 1500 },
        { bucket: utc(25, 1), executions: 0, errors: 0, averageDurationMs: 0 },
      ]);
      expect(trends.logsByLevel).toEqual([
        { bucket: utc(24, 22), debug: 0, info: 0, warning: 0, error: 0 },
        { bucket: utc(24, 23), debug: 0, info: 1, warning: 0, error: 1 },
        { bucket: utc(25, 0), debug: 0, info: 0, warning: 1, error: 0 },
        { bucket: utc(25, 1), debug: 0, info: 1, warning: 0, error: 0 },
      ]);
      expect(trends.errorsByAgent).toEqual([
        { bucket: utc(24, 23), agent: 'design', errors: 1 },
        { bucket: utc(24, 23), agent: 'planner', errors: 1 },
        { bucket: utc(25, 0), agent: 'design', errors: 1 },
      ]);
    });

    it('buckets by UTC day: 23:59 on the 24th and 00:00 on the 25th fall on different days', async () => {
      const trends = await repository.getMetricsTrends({ from, to, interval: 'day' });
      expect(trends.executions).toEqual([
        { bucket: utc(24, 0), executions: 3, errors: 2, averageDurationMs: 300 },
        { bucket: utc(25, 0), executions: 2, errors: 1, averageDurationMs: 1500 },
      ]);
      expect(
        trends.logsByLevel.map((point) => [point.bucket, point.info, point.error, point.warning]),
      ).toEqual([
        [utc(24, 0), 1, 1, 0],
        [utc(25, 0), 1, 0, 1],
      ]);
      expect(trends.errorsByAgent).toEqual([
        { bucket: utc(24, 0), agent: 'design', errors: 1 },
        { bucket: utc(24, 0), agent: 'planner', errors: 1 },
        { bucket: utc(25, 0), agent: 'design', errors: 1 },
      ]);
    });
  });
});
