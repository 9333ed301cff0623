import {
  WorkflowPage,
  WorkflowState,
  WorkflowStatus,
  WorkflowSummary,
  publishedSitePath,
} from '@app/contracts';
import { DataSource } from 'typeorm';
import { containsPattern } from './contains-pattern';
import { decodeKeysetCursor, encodeKeysetCursor, keysetTimestampSql } from './keyset-cursor';

/** Filters and page of a listing. `from` is inclusive, `to` exclusive (creation times). */
export interface WorkflowRunSearch {
  status?: WorkflowStatus;
  type?: string;
  tenantId?: string;
  from?: string;
  to?: string;
  /** Text the input or the error contains, ignoring case. */
  q?: string;
  /** The `nextCursor` of the previous page; throws InvalidCursorError when it is not one. */
  cursor?: string;
  limit: number;
}

const SUMMARY_COLUMNS = `id, type, status, tenant_id, session_id, created_at, updated_at, finished_at, error,
  completed_steps, total_steps`;

interface SummaryRow {
  id: string;
  type: string;
  status: WorkflowStatus;
  tenant_id: string;
  session_id: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  error: string | null;
  completed_steps: number;
  total_steps: number;
}

/** The newest projection of each workflow: one statement cannot update a row twice. */
function newestPerWorkflow(states: WorkflowState[]): WorkflowState[] {
  const newest = new Map<string, WorkflowState>();
  for (const state of states) {
    const known = newest.get(state.workflowId);
    if (!known || known.lastEventId <= state.lastEventId) newest.set(state.workflowId, state);
  }
  return [...newest.values()];
}

function summaryOf(row: SummaryRow): WorkflowSummary {
  return {
    workflowId: row.id,
    type: row.type,
    status: row.status,
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    error: row.error,
    completedSteps: row.completed_steps,
    totalSteps: row.total_steps,
  };
}

/**
 * The projection of every workflow (`workflow_runs`), which listings and searches read; Redis stays
 * the source of one live workflow. Writes are upserts guarded by the workflow's event id, so
 * projections applied twice or out of order leave the newest.
 */
export class WorkflowRunsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes the states' projections in one statement, each unless a projection of a later (or the
   * same) event is stored; returns the summaries it wrote, as listings show them.
   */
  async upsert(states: WorkflowState[]): Promise<WorkflowSummary[]> {
    if (states.length === 0) return [];
    const rows = newestPerWorkflow(states);
    const column = <T>(value: (state: WorkflowState) => T) => rows.map(value);
    const written = (await this.dataSource.query(
      `INSERT INTO workflow_runs (id, type, status, tenant_id, session_id, created_at, updated_at, finished_at,
                                  error, input, completed_steps, total_steps, last_event_id, site_url, replay_of)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],
                            $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::jsonb[],
                            $11::int[], $12::int[], $13::bigint[], $14::text[], $15::uuid[])
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
         finished_at = EXCLUDED.finished_at, error = EXCLUDED.error, completed_steps = EXCLUDED.completed_steps,
         total_steps = EXCLUDED.total_steps, last_event_id = EXCLUDED.last_event_id,
         site_url = EXCLUDED.site_url, projected_at = now()
       WHERE workflow_runs.last_event_id <= EXCLUDED.last_event_id
       RETURNING ${SUMMARY_COLUMNS}`,
      [
        column((state) => state.workflowId),
        column((state) => state.type),
        column((state) => state.status),
        column((state) => state.tenantId),
        column((state) => state.sessionId),
        column((state) => state.createdAt),
        column((state) => state.updatedAt),
        column((state) => state.finishedAt),
        column((state) => state.error),
        column((state) => JSON.stringify(state.input)),
        column((state) => state.completedSteps),
        column((state) => state.totalSteps),
        column((state) => state.lastEventId),
        column((state) => publishedSitePath(state.result)),
        column((state) => state.replayOf?.workflowId ?? null),
      ],
    )) as SummaryRow[];
    return written.map(summaryOf);
  }

  /**
   * One page of the workflows matching the filters, newest first by (created_at, id). Keyset
   * pages: a workflow started meanwhile never shifts the next page. No count of all matches: it
   * would cost a scan of them on every page.
   */
  async list(search: WorkflowRunSearch): Promise<WorkflowPage> {
    const params: unknown[] = [];
    const conditions: string[] = [];
    const where = (sql: (placeholder: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    if (search.status !== undefined) where((p) => `status = ${p}`, search.status);
    if (search.type !== undefined) where((p) => `type = ${p}`, search.type);
    if (search.tenantId !== undefined) where((p) => `tenant_id = ${p}`, search.tenantId);
    if (search.from !== undefined) where((p) => `created_at >= ${p}::timestamptz`, search.from);
    if (search.to !== undefined) where((p) => `created_at < ${p}::timestamptz`, search.to);
    if (search.q) where((p) => `search ILIKE ${p}`, containsPattern(search.q));
    if (search.cursor !== undefined) {
      const position = decodeKeysetCursor(search.cursor);
      params.push(position.timestamp, position.id);
      conditions.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(search.limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, ${keysetTimestampSql('created_at')} AS position
       FROM workflow_runs
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC
       LIMIT $${params.length}`,
      params,
    )) as (SummaryRow & { position: string })[];
    const hasMore = rows.length > search.limit;
    const page = hasMore ? rows.slice(0, search.limit) : rows;
    const last = page.at(-1);
    return {
      items: page.map(summaryOf),
      nextCursor: hasMore && last ? encodeKeysetCursor({ timestamp: last.position, id: last.id }) : null,
      limit: search.limit,
    };
  }
}
