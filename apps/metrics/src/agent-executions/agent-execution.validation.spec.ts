import { agentExecutionProblem } from './agent-execution.validation';

const valid = {
  id: '0b6f1c1e-8d2e-4c1a-9a53-3f5b2f0d9a11',
  workflowId: '1c2d3e4f-8d2e-4c1a-9a53-3f5b2f0d9a11',
  workflowType: 'CREATE_SITE',
  stepId: 'planner',
  agent: 'planner',
  attempt: 1,
  outcome: 'success',
  errorKind: null,
  durationMs: 1234,
  startedAt: '2026-11-24T01:00:00.000Z',
  finishedAt: '2026-11-24T01:00:01.234Z',
};

describe('agentExecutionProblem', () => {
  it('accepts a well-formed execution, and a failed one with its error kind', () => {
    expect(agentExecutionProblem(valid)).toBeNull();
    expect(agentExecutionProblem({ ...valid, outcome: 'error', errorKind: 'network' })).toBeNull();
  });

  it.each([
    [null, 'not an object'],
    [[valid], 'not an object'],
    [{ ...valid, id: 'x' }, 'id must be a UUID'],
    [{ ...valid, workflowId: undefined }, 'workflowId must be a UUID'],
    [{ ...valid, workflowType: '' }, 'workflowType must be a string of 1-100 characters'],
    [{ ...valid, stepId: 'a'.repeat(101) }, 'stepId must be a string of 1-100 characters'],
    [{ ...valid, agent: 'plan\u0000ner' }, 'agent must be a string of 1-100 characters'],
    [{ ...valid, attempt: 0 }, 'attempt must be a positive integer'],
    [{ ...valid, attempt: 1.5 }, 'attempt must be a positive integer'],
    [{ ...valid, outcome: 'timeout' }, 'outcome must be success or error'],
    [{ ...valid, errorKind: 7 }, 'errorKind must be a string of 1-50 characters or null'],
    [{ ...valid, durationMs: -1 }, 'durationMs must be a number of milliseconds, 0 or more'],
    [{ ...valid, durationMs: Number.NaN }, 'durationMs must be a number of milliseconds, 0 or more'],
    [{ ...valid, startedAt: 'soon' }, 'startedAt must be an ISO-8601 date'],
    [{ ...valid, finishedAt: null }, 'finishedAt must be an ISO-8601 date'],
  ])('rejects %p: %s', (execution, problem) => {
    expect(agentExecutionProblem(execution)).toBe(problem);
  });
});
