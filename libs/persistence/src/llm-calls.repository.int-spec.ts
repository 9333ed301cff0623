import { randomUUID } from 'node:crypto';
import { LlmCall } from '@app/contracts';
import { DataSource } from 'typeorm';
import { TEST_DATABASE_URL, TestNamespace } from '../../../test/support/test-environment';
import { dataSourceOptions } from './data-source-options';
import { LlmCallsRepository } from './llm-calls.repository';

function call(fields: Partial<LlmCall> & Pick<LlmCall, 'finishedAt'>): LlmCall {
  return {
    id: randomUUID(),
    workflowId: randomUUID(),
    workflowType: 'CREATE_SITE',
    tenantId: 'acme',
    stepId: 'planner',
    agent: 'planner',
    provider: 'openai-compatible',
    model: 'gpt-4o-mini',
    promptTokens: 100,
    completionTokens: 20,
    isEstimated: false,
    costUsd: 0.000027,
    durationMs: 800,
    outcome: 'ok',
    startedAt: fields.finishedAt,
    ...fields,
  };
}

describe('LlmCallsRepository (real PostgreSQL)', () => {
  const namespace = new TestNamespace();
  let dataSource: DataSource;
  let repository: LlmCallsRepository;

  beforeAll(async () => {
    await namespace.prepare();
    const options = dataSourceOptions({
      url: TEST_DATABASE_URL,
      schema: namespace.schema,
      applicationName: 'spec',
    });
    // A session far from UTC: days must still be UTC days.
    dataSource = await new DataSource({
      ...options,
      extra: { options: `-c search_path=${namespace.schema} -c timezone=Pacific/Chatham` },
    } as typeof options).initialize();
    repository = new LlmCallsRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await namespace.dispose();
  });

  beforeEach(() => dataSource.query('TRUNCATE llm_calls'));

  it('writes a batch delivered twice once, and says which calls it wrote', async () => {
    const batch = [
      call({ finishedAt: '2026-11-20T10:00:00.000Z' }),
      call({ finishedAt: '2026-11-20T11:00:00.000Z' }),
    ];
    expect((await repository.insertMany(batch)).sort()).toEqual(batch.map((entry) => entry.id).sort());
    expect(await repository.insertMany(batch)).toEqual([]);
    const { total } = await repository.summarize({ groupBy: 'model', tenantId: null });
    expect(total).toEqual({
      calls: 2,
      failedCalls: 0,
      promptTokens: 200,
      completionTokens: 40,
      costUsd: 0.000054,
      estimatedCalls: 0,
    });
  });

  it('groups by model, agent, tenant and UTC day over [from, to), costliest first, one tenant or all', async () => {
    await repository.insertMany([
      call({ finishedAt: '2026-11-20T23:30:00.000Z', model: 'gpt-4o', costUsd: 0.5, promptTokens: 7 }),
      call({ finishedAt: '2026-11-21T00:30:00.000Z', agent: 'content', costUsd: 0.1 }),
      call({
        finishedAt: '2026-11-21T01:00:00.000Z',
        tenantId: 'globex',
        outcome: 'cancelled',
        isEstimated: true,
        costUsd: 0.2,
      }),
      call({ finishedAt: '2026-11-22T00:00:00.000Z', costUsd: 9 }),
    ]);
    const range = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-22T00:00:00.000Z' };

    const byModel = await repository.summarize({ groupBy: 'model', ...range, tenantId: null });
    expect(byModel.groups.map(({ key, calls, costUsd }) => [key, calls, costUsd])).toEqual([
      ['gpt-4o', 1, 0.5],
      ['gpt-4o-mini', 2, 0.3],
    ]);
    expect(byModel.total).toMatchObject({ calls: 3, failedCalls: 1, estimatedCalls: 1, promptTokens: 207 });
    expect(
      (await repository.summarize({ groupBy: 'day', ...range, tenantId: null })).groups.map((group) => [
        group.key,
        group.calls,
      ]),
    ).toEqual([
      ['2026-11-20', 1],
      ['2026-11-21', 2],
    ]);
    expect(
      (await repository.summarize({ groupBy: 'agent', ...range, tenantId: 'acme' })).groups.map(
        (group) => group.key,
      ),
    ).toEqual(['planner', 'content']);
    expect((await repository.summarize({ groupBy: 'tenant', tenantId: 'globex' })).groups).toEqual([
      expect.objectContaining({ key: 'globex', calls: 1, failedCalls: 1 }),
    ]);
  });
});
