import { logEntryProblem } from './log-entry.validation';

const valid = {
  id: '0b6f1c1e-8d2e-4c1a-9a53-3f5b2f0d9a11',
  timestamp: '2026-11-24T01:00:00.000Z',
  level: 'info',
  workflowId: null,
  agent: 'planner',
  message: 'planned 4 pages',
  metadata: {},
};

describe('logEntryProblem', () => {
  it('accepts a well-formed entry', () => {
    expect(logEntryProblem(valid)).toBeNull();
  });

  it.each([
    [null, 'not an object'],
    [[], 'not an object'],
    [{ ...valid, id: 'x' }, 'id must be a UUID'],
    [{ ...valid, timestamp: 'yesterday' }, 'timestamp must be an ISO-8601 date'],
    [{ ...valid, level: 'fatal' }, 'level must be one of debug, info, warning, error'],
    [{ ...valid, workflowId: 42 }, 'workflowId must be a UUID or null'],
    [{ ...valid, agent: 'a'.repeat(101) }, 'agent must be a string of at most 100 characters or null'],
    [{ ...valid, message: undefined }, 'message must be a string of at most 10000 characters'],
    [{ ...valid, metadata: 'x' }, 'metadata must be an object'],
  ])('rejects %p: %s', (entry, problem) => {
    expect(logEntryProblem(entry)).toBe(problem);
  });
});
