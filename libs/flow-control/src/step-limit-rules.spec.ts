import { StepLimit } from '@app/contracts';
import { limitKeyOf } from './limit-key';
import { parseLimitOverrides, withOverrides } from './limit-overrides';
import { stepLimitProblems } from './step-limit-rules';

describe('step limit rules', () => {
  const good: StepLimit = {
    name: 'provider',
    key: ['agent', 'input.site.id'],
    rate: { requests: 2, periodSeconds: 1 },
  };

  it('accepts a rate, a concurrency or both over known key fields', () => {
    expect(
      stepLimitProblems([good, { name: 'slots', key: [], concurrency: { slots: 3, leaseSeconds: 10 } }]),
    ).toEqual([]);
  });

  it('names every problem: numbers, unknown key fields, duplicates, a limit with nothing to limit', () => {
    const problems = stepLimitProblems([
      { name: 'a', key: ['agent'], rate: { requests: 0, periodSeconds: 1 } },
      { name: 'b', key: ['tenant', 'region' as never], concurrency: { slots: -1 } },
      { name: 'a', key: ['model'], rate: { requests: 1, periodSeconds: 1, burst: 0 } },
      { name: 'c', key: [] },
    ]);
    expect(problems).toEqual([
      'limit "a": rate.requests must be a number above 0, not 0',
      'limit "b": key field "region" is unknown (use agent, tenant, workflowType, model or input.<path>)',
      'limit "b": concurrency.slots must be an integer above 0, not -1',
      'limit "a" is declared twice',
      'limit "a": rate.burst must be an integer of at least 1, not 0',
      'limit "c": sets neither rate nor concurrency',
    ]);
  });

  it('keys a step by its fields, a missing one as the shared value "-"', () => {
    const subject = {
      agent: 'content',
      tenant: 'acme',
      workflowType: 'T',
      input: { site: { id: 7 } },
      preferences: {},
    };
    expect(limitKeyOf(good, subject)).toEqual({ value: 'agent=content input.site.id=7', missing: [] });
    expect(limitKeyOf(good, { ...subject, input: {} })).toEqual({
      value: 'agent=content input.site.id=-',
      missing: ['input.site.id'],
    });
    expect(
      limitKeyOf({ ...good, key: ['model'] }, { ...subject, preferences: { model: 'gpt-x' } }).value,
    ).toBe('model=gpt-x');
  });

  it('applies a deployment override (new numbers, or off) to the limit it names', () => {
    const overrides = parseLimitOverrides(
      '{"agent:content/provider":{"concurrency":{"slots":4}},"agent:content/other":"off"}',
    );
    const other: StepLimit = { name: 'other', key: [], rate: { requests: 1, periodSeconds: 1 } };
    expect(withOverrides('agent:content', [good, other], overrides)).toEqual([
      { ...good, concurrency: { slots: 4 } },
    ]);
    expect(withOverrides('agent:planner', [good], overrides)).toEqual([good]);
  });
});
