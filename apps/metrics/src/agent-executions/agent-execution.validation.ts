import { AgentExecution } from '@app/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTCOMES = new Set(['success', 'error']);
/** PostgreSQL `integer`. */
const MAX_INT = 2_147_483_647;

const isShortString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max && !value.includes('\u0000');
const isDate = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Why an execution cannot be stored, or null when it can. Checked alone, so one bad record never sinks its batch. */
export function agentExecutionProblem(execution: unknown): string | null {
  if (typeof execution !== 'object' || execution === null || Array.isArray(execution)) return 'not an object';
  const candidate = execution as Partial<Record<keyof AgentExecution, unknown>>;
  if (typeof candidate.id !== 'string' || !UUID.test(candidate.id)) return 'id must be a UUID';
  if (typeof candidate.workflowId !== 'string' || !UUID.test(candidate.workflowId))
    return 'workflowId must be a UUID';
  if (!isShortString(candidate.workflowType, 100)) return 'workflowType must be a string of 1-100 characters';
  if (!isShortString(candidate.stepId, 100)) return 'stepId must be a string of 1-100 characters';
  if (!isShortString(candidate.agent, 100)) return 'agent must be a string of 1-100 characters';
  if (
    !Number.isInteger(candidate.attempt) ||
    (candidate.attempt as number) < 1 ||
    (candidate.attempt as number) > MAX_INT
  )
    return 'attempt must be a positive integer';
  if (typeof candidate.outcome !== 'string' || !OUTCOMES.has(candidate.outcome))
    return 'outcome must be success or error';
  if (candidate.errorKind !== null && !isShortString(candidate.errorKind, 50))
    return 'errorKind must be a string of 1-50 characters or null';
  if (
    typeof candidate.durationMs !== 'number' ||
    !Number.isFinite(candidate.durationMs) ||
    candidate.durationMs < 0 ||
    candidate.durationMs > MAX_INT
  ) {
    return 'durationMs must be a number of milliseconds, 0 or more';
  }
  if (!isDate(candidate.startedAt)) return 'startedAt must be an ISO-8601 date';
  if (!isDate(candidate.finishedAt)) return 'finishedAt must be an ISO-8601 date';
  return null;
}
