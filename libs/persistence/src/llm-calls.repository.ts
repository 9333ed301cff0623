import { LlmCall, UsageFigures, UsageGroup, UsageGroupFigures } from '@app/contracts';
import { DataSource } from 'typeorm';

const ROWS_PER_INSERT = 5000;

/** The SQL of each grouping: a column, or the UTC day a call finished. */
const GROUP_KEYS: Record<UsageGroup, string> = {
  model: 'model',
  agent: 'agent',
  tenant: 'tenant_id',
  day: `to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
};

const FIGURES = `
  count(*)::int AS calls,
  count(*) FILTER (WHERE outcome <> 'ok')::int AS failed_calls,
  coalesce(sum(prompt_tokens), 0)::bigint AS prompt_tokens,
  coalesce(sum(completion_tokens), 0)::bigint AS completion_tokens,
  coalesce(sum(cost_usd), 0)::numeric AS cost_usd,
  count(*) FILTER (WHERE is_estimated)::int AS estimated_calls`;

interface FiguresRow {
  key: string | null;
  calls: number;
  failed_calls: number;
  prompt_tokens: string;
  completion_tokens: string;
  cost_usd: string;
  estimated_calls: number;
}

function figuresOf(row: FiguresRow | undefined): UsageFigures {
  return {
    calls: row?.calls ?? 0,
    failedCalls: row?.failed_calls ?? 0,
    promptTokens: Number(row?.prompt_tokens ?? 0),
    completionTokens: Number(row?.completion_tokens ?? 0),
    costUsd: Number(row?.cost_usd ?? 0),
    estimatedCalls: row?.estimated_calls ?? 0,
  };
}

/**
 * Language-model calls and the usage summaries derived from them. The rows are the only state:
 * every figure is summed in SQL when asked, so a batch delivered twice (skipped by its ids) never
 * counts twice.
 */
export class LlmCallsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts calls not yet stored, in multi-row statements; returns the ids it wrote. */
  async insertMany(calls: LlmCall[]): Promise<string[]> {
    const written: string[] = [];
    for (let start = 0; start < calls.length; start += ROWS_PER_INSERT) {
      const chunk = calls.slice(start, start + ROWS_PER_INSERT);
      const column = <K extends keyof LlmCall>(key: K) => chunk.map((call) => call[key]);
      const [{ ids }] = (await this.dataSource.query(
        `WITH inserted AS (
           INSERT INTO llm_calls (id, workflow_id, workflow_type, tenant_id, step_id, agent, provider, model,
                                  prompt_tokens, completion_tokens, is_estimated, cost_usd, duration_ms, outcome,
                                  started_at, finished_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
                                $7::varchar[], $8::varchar[], $9::int[], $10::int[], $11::boolean[], $12::numeric[],
                                $13::int[], $14::varchar[], $15::timestamptz[], $16::timestamptz[])
           ON CONFLICT (id) DO NOTHING
           RETURNING id
         )
         SELECT coalesce(array_agg(id::text), '{}') AS ids FROM inserted`,
        [
          column('id'),
          column('workflowId'),
          column('workflowType'),
          column('tenantId'),
          column('stepId'),
          column('agent'),
          column('provider'),
          column('model'),
          column('promptTokens'),
          column('completionTokens'),
          column('isEstimated'),
          chunk.map((call) => call.costUsd.toFixed(9)),
          chunk.map((call) => Math.round(call.durationMs)),
          column('outcome'),
          column('startedAt'),
          column('finishedAt'),
        ],
      )) as { ids: string[] }[];
      written.push(...ids);
    }
    return written;
  }

  /**
   * The figures of the calls finished in [from, to) (open ends when left out) of one tenant, or
   * of all (`tenantId` null), per group and in total.
   */
  async summarize(query: {
    groupBy: UsageGroup;
    from?: string;
    to?: string;
    tenantId: string | null;
  }): Promise<{ groups: UsageGroupFigures[]; total: UsageFigures }> {
    const rows = (await this.dataSource.query(
      `SELECT ${GROUP_KEYS[query.groupBy]} AS key, ${FIGURES}
       FROM llm_calls
       WHERE ($1::timestamptz IS NULL OR finished_at >= $1) AND ($2::timestamptz IS NULL OR finished_at < $2)
         AND ($3::varchar IS NULL OR tenant_id = $3)
       GROUP BY ROLLUP (${GROUP_KEYS[query.groupBy]})
       ORDER BY ${query.groupBy === 'day' ? '1' : 'cost_usd DESC, calls DESC, 1'} NULLS LAST`,
      [query.from ?? null, query.to ?? null, query.tenantId],
    )) as FiguresRow[];
    // ROLLUP's grand total has a null key (every grouped column is NOT NULL).
    const total = rows.find((row) => row.key === null);
    return {
      groups: rows.filter((row) => row.key !== null).map((row) => ({ key: row.key!, ...figuresOf(row) })),
      total: figuresOf(total),
    };
  }

  /** The calls of one workflow, oldest first (tests and investigations). */
  async listForWorkflow(workflowId: string): Promise<LlmCall[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, workflow_id, workflow_type, tenant_id, step_id, agent, provider, model, prompt_tokens,
              completion_tokens, is_estimated, cost_usd, duration_ms, outcome, started_at, finished_at
       FROM llm_calls WHERE workflow_id = $1 ORDER BY started_at, id`,
      [workflowId],
    )) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      id: row.id as string,
      workflowId: row.workflow_id as string,
      workflowType: row.workflow_type as string,
      tenantId: row.tenant_id as string,
      stepId: row.step_id as string,
      agent: row.agent as string,
      provider: row.provider as string,
      model: row.model as string,
      promptTokens: row.prompt_tokens as number,
      completionTokens: row.completion_tokens as number,
      isEstimated: row.is_estimated as boolean,
      costUsd: Number(row.cost_usd),
      durationMs: row.duration_ms as number,
      outcome: row.outcome as string,
      startedAt: (row.started_at as Date).toISOString(),
      finishedAt: (row.finished_at as Date).toISOString(),
    }));
  }
}
