import { LogEntry, LogLevel } from '@app/contracts';

const LEVELS = new Set<string>(Object.values(LogLevel));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MESSAGE_LENGTH = 10_000;

/** Why an entry cannot be stored, or null when it can. Checked per entry so one bad line never sinks its batch. */
export function logEntryProblem(entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return 'not an object';
  const candidate = entry as Partial<Record<keyof LogEntry, unknown>>;
  if (typeof candidate.id !== 'string' || !UUID.test(candidate.id)) return 'id must be a UUID';
  if (typeof candidate.timestamp !== 'string' || Number.isNaN(Date.parse(candidate.timestamp))) {
    return 'timestamp must be an ISO-8601 date';
  }
  if (typeof candidate.level !== 'string' || !LEVELS.has(candidate.level))
    return `level must be one of ${[...LEVELS].join(', ')}`;
  if (
    candidate.workflowId !== null &&
    (typeof candidate.workflowId !== 'string' || !UUID.test(candidate.workflowId))
  ) {
    return 'workflowId must be a UUID or null';
  }
  if (candidate.agent !== null && (typeof candidate.agent !== 'string' || candidate.agent.length > 100)) {
    return 'agent must be a string of at most 100 characters or null';
  }
  if (typeof candidate.message !== 'string' || candidate.message.length > MAX_MESSAGE_LENGTH) {
    return `message must be a string of at most ${MAX_MESSAGE_LENGTH} characters`;
  }
  if (
    typeof candidate.metadata !== 'object' ||
    candidate.metadata === null ||
    Array.isArray(candidate.metadata)
  ) {
    return 'metadata must be an object';
  }
  return null;
}
