import { AgentLifecycle, WorkflowState } from '@app/contracts';
import { DataSource } from 'typeorm';

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
    const state = rows[0]?.state;
    if (!state) return null;
    // Archived before these fields existed: derived from the steps.
    return {
      ...state,
      completedSteps:
        state.completedSteps ??
        state.steps.filter((step) => step.lifecycle === AgentLifecycle.Completed).length,
      totalSteps: state.totalSteps ?? state.steps.length,
      lastEventId: state.lastEventId ?? 0,
      traceId: state.traceId ?? null,
      steps: state.steps.map((step) => ({
        ...step,
        llmCalls: step.llmCalls ?? 0,
        llmTokens: step.llmTokens ?? 0,
      })),
    };
  }
}
