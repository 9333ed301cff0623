/**
 * The outbox of workflow status changes and the channel of their projections: every function of
 * the store's library that changes a workflow's status appends `{ workflowId, seq, status }` to the stream
 * `WorkflowKeys.changes` in the same atomic call (workflow-scripts.lua.ts writes it); the
 * metrics service reads it with a consumer group, projects each workflow into PostgreSQL and
 * publishes the projected summaries on `WorkflowKeys.runsChannel`.
 */

/** One outbox entry: the workflow whose status changed, its last event id and its new status. */
export interface WorkflowChange {
  /** The stream entry's id, to acknowledge. */
  entryId: string;
  workflowId: string;
  seq: number;
  /** The status the workflow changed to; '' in an entry written before the field existed. */
  status: string;
}

/** An entry as XREADGROUP / XAUTOCLAIM return it: [id, [field, value, ...]]. */
export function parseWorkflowChange([entryId, fields]: [string, string[]]): WorkflowChange {
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) values[fields[i]] = fields[i + 1];
  return {
    entryId,
    workflowId: values.workflowId ?? '',
    seq: Number(values.seq ?? 0),
    status: values.status ?? '',
  };
}
