import { WorkflowState, WorkflowStatus, WorkflowSummary } from '@app/contracts';
import { DataSource } from 'typeorm';

interface SummaryRow {
  id: string;
  type: string;
  status: WorkflowStatus;
  session_id: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  error: string | null;
}

/**
 * Finished workflows archived from Redis: the whole state as JSON beside the columns it is found
 * by. Archiving is an upsert, so a retention run that stopped half-way can simply run again.
 */
export class WorkflowRecordsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores (or refreshes) the states; returns how many it wrote. */
  async archive(states: WorkflowState[]): Promise<number> {
    if (states.length === 0) return 0;
    const column = <K extends keyof WorkflowState>(key: K) => states.map((state) => state[key]);
    const [{ count }] = (await this.dataSource.query(
      `WITH written AS (
         INSERT INTO workflow_records (id, type, status, tenant_id, session_id, created_at, finished_at, state)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],
                              $6::timestamptz[], $7::timestamptz[], $8::jsonb[])
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at,
                                        state = EXCLUDED.state, archived_at = now()
         RETURNING 1
       )
       SELECT count(*)::int AS count FROM written`,
      [
        column('workflowId'),
        column('type'),
        column('status'),
        column('tenantId'),
        column('sessionId'),
        column('createdAt'),
        column('finishedAt'),
        states.map((state) => JSON.stringify(state)),
      ],
    )) as { count: number }[];
    return count;
  }

  async get(workflowId: string): Promise<WorkflowState | null> {
    const rows = (await this.dataSource.query(`SELECT state FROM workflow_records WHERE id = $1`, [
      workflowId,
    ])) as { state: WorkflowState }[];
    return rows[0]?.state ?? null;
  }

  /** Newest first (by creation), optionally of one status, type and tenant. */
  async list(params: {
    status?: WorkflowStatus;
    type?: string;
    tenantId?: string;
    offset: number;
    limit: number;
  }): Promise<{ items: WorkflowSummary[]; total: number }> {
    const filters: string[] = [];
    const values: unknown[] = [];
    for (const [column, value] of [
      ['status', params.status],
      ['type', params.type],
      ['tenant_id', params.tenantId],
    ] as const) {
      if (value === undefined) continue;
      values.push(value);
      filters.push(`${column} = $${values.length}`);
    }
    const where = filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '';
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query(
        `SELECT id, type, status, session_id, state->>'createdAt' AS created_at,
                state->>'updatedAt' AS updated_at, state->>'finishedAt' AS finished_at, state->>'error' AS error
         FROM workflow_records ${where}
         ORDER BY workflow_records.created_at DESC, workflow_records.id DESC
         OFFSET $${values.length + 1} LIMIT $${values.length + 2}`,
        [...values, params.offset, params.limit],
      ) as Promise<SummaryRow[]>,
      this.dataSource.query(
        `SELECT count(*)::int AS total FROM workflow_records ${where}`,
        values,
      ) as Promise<{ total: number }[]>,
    ]);
    return {
      total,
      items: rows.map((row) => ({
        workflowId: row.id,
        type: row.type,
        status: row.status,
        sessionId: row.session_id,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        finishedAt: row.finished_at,
        error: row.error,
      })),
    };
  }
}
