import { llmCallProblem } from './llm-call.validation';

const valid = {
  id: '0b6f1c1e-8d2e-4c1a-9a53-3f5b2f0d9a11',
  workflowId: '1c2d3e4f-8d2e-4c1a-9a53-3f5b2f0d9a11',
  workflowType: 'CREATE_SITE',
  tenantId: 'acme',
  stepId: 'planner',
  agent: 'planner',
  provider: 'openai-compatible',
  model: 'gpt-4o-mini',
  promptTokens: 120,
  completionTokens: 45,
  isEstimated: false,
  costUsd: 0.000045,
  durationMs: 812,
  outcome: 'ok',
  startedAt: '2026-11-24T01:00:00.000Z',
  finishedAt: '2026-11-24T01:00:00.812Z',
};

describe('llmCallProblem', () => {
  it('accepts a well-formed call, and a cancelled one with estimated tokens', () => {
    expect(llmCallProblem(valid)).toBeNull();
    expect(llmCallProblem({ ...valid, outcome: 'cancelled', isEstimated: true })).toBeNull();
  });

  it.each([
    [null, 'not an object'],
    [{ ...valid, id: 'x' }, 'id must be a UUID'],
    [{ ...valid, tenantId: '' }, 'tenantId must be a string of 1-100 characters'],
    [{ ...valid, model: 'm\u0000' }, 'model must be a string of 1-200 characters'],
    [{ ...valid, promptTokens: -1 }, 'promptTokens must be an integer, 0 or more'],
    [{ ...valid, completionTokens: 1.5 }, 'completionTokens must be an integer, 0 or more'],
    [{ ...valid, isEstimated: 'no' }, 'isEstimated must be a boolean'],
    [{ ...valid, costUsd: Number.NaN }, 'costUsd must be a number of US dollars, 0 or more'],
    [{ ...valid, durationMs: -3 }, 'durationMs must be an integer of milliseconds, 0 or more'],
    [{ ...valid, finishedAt: 'soon' }, 'finishedAt must be an ISO-8601 date'],
  ])('rejects %p: %s', (call, problem) => {
    expect(llmCallProblem(call)).toBe(problem);
  });
});
