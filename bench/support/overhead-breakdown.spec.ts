import { overheadBreakdown } from './overhead-breakdown';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, 0, ms)).toISOString();
const step = (stepId: string, dependsOn: string[], startMs: number, endMs: number) => ({
  stepId,
  dependsOn,
  startedAt: at(startMs),
  finishedAt: at(endMs),
});

describe('overheadBreakdown', () => {
  it('follows the dependency that ended last, back to the first step', () => {
    // a -> (b, c) -> d: c ends after b, so the chain is a, c, d.
    const breakdown = overheadBreakdown({
      createdAt: at(0),
      steps: [
        step('a', [], 5, 20),
        step('b', ['a'], 21, 30),
        step('c', ['a'], 26, 60),
        step('d', ['b', 'c'], 63, 100),
      ],
      agentDurationsMs: { a: 10, b: 8, c: 30, d: 35 },
    });
    expect(breakdown).toEqual({
      firstHopMs: 5,
      handOversMs: 6 + 3,
      inStepMs: 5 + 4 + 2,
      agentMs: 10 + 30 + 35,
      spanMs: 100,
    });
    // Every millisecond of the span is in exactly one part.
    expect(breakdown.firstHopMs + breakdown.handOversMs + breakdown.inStepMs + breakdown.agentMs).toBe(100);
  });

  it('skips a step that never ran (a branch not taken) when it looks for what a step waited for', () => {
    const breakdown = overheadBreakdown({
      createdAt: at(0),
      steps: [
        step('a', [], 2, 10),
        { stepId: 'skipped', dependsOn: ['a'], startedAt: null, finishedAt: null },
        step('b', ['a', 'skipped'], 12, 20),
      ],
      agentDurationsMs: { a: 8, b: 8 },
    });
    expect(breakdown).toEqual({ firstHopMs: 2, handOversMs: 2, inStepMs: 0, agentMs: 16, spanMs: 20 });
  });

  it('refuses a workflow none of whose steps ran', () => {
    expect(() =>
      overheadBreakdown({
        createdAt: at(0),
        steps: [{ stepId: 'a', dependsOn: [], startedAt: null, finishedAt: null }],
        agentDurationsMs: {},
      }),
    ).toThrow('no step with a start and an end');
  });
});
