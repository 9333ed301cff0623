import { LlmCall } from '@app/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** PostgreSQL `integer`. */
const MAX_INT = 2_147_483_647;

const isShortString = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max && !value.includes('\u0000');
const isDate = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));
const isCount = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_INT;

const STRINGS: Array<[keyof LlmCall, number]> = [
  ['workflowType', 100],
  ['tenantId', 100],
  ['stepId', 200],
  ['agent', 100],
  ['provider', 50],
  ['model', 200],
  ['outcome', 50],
];

/** Why a call cannot be stored, or null when it can. Checked alone, so one bad record never sinks its batch. */
export function llmCallProblem(call: unknown): string | null {
  if (typeof call !== 'object' || call === null || Array.isArray(call)) return 'not an object';
  const candidate = call as Partial<Record<keyof LlmCall, unknown>>;
  if (typeof candidate.id !== 'string' || !UUID.test(candidate.id)) return 'id must be a UUID';
  if (typeof candidate.workflowId !== 'string' || !UUID.test(candidate.workflowId))
    return 'workflowId must be a UUID';
  for (const [field, max] of STRINGS) {
    if (!isShortString(candidate[field], max)) return `${field} must be a string of 1-${max} characters`;
  }
  if (!isCount(candidate.promptTokens)) return 'promptTokens must be an integer, 0 or more';
  if (!isCount(candidate.completionTokens)) return 'completionTokens must be an integer, 0 or more';
  if (typeof candidate.isEstimated !== 'boolean') return 'isEstimated must be a boolean';
  if (typeof candidate.costUsd !== 'number' || !Number.isFinite(candidate.costUsd) || candidate.costUsd < 0)
    return 'costUsd must be a number of US dollars, 0 or more';
  if (!isCount(candidate.durationMs)) return 'durationMs must be an integer of milliseconds, 0 or more';
  if (!isDate(candidate.startedAt)) return 'startedAt must be an ISO-8601 date';
  if (!isDate(candidate.finishedAt)) return 'finishedAt must be an ISO-8601 date';
  return null;
}
