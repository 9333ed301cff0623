import { StepAdmissionGate, StepAdmissionCheck, AdmissionStep } from './step-admission';
import { WAKE_UP_JITTER_MAX_MS, jitteredDelayMs } from './wake-up-jitter';

describe('jitteredDelayMs', () => {
  it('adds 0 to 20% of the delay', () => {
    expect(jitteredDelayMs(1000, () => 0)).toBe(1000);
    expect(jitteredDelayMs(1000, () => 0.5)).toBe(1100);
    expect(jitteredDelayMs(1000, () => 0.999999)).toBe(1200);
  });

  it('never adds more than a second, however long the wait', () => {
    expect(jitteredDelayMs(60_000, () => 0.999999)).toBe(60_000 + WAKE_UP_JITTER_MAX_MS);
  });

  it('stays within its bounds for any random draw, and spreads the draws', () => {
    const delays = Array.from({ length: 1000 }, () => jitteredDelayMs(500));
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(600);
    }
    expect(new Set(delays).size).toBeGreaterThan(20);
  });
});

describe('StepAdmissionGate wake-ups', () => {
  const step = { agent: 'writer' } as AdmissionStep;
  const refusing = (retryInMs: number, holdsWorkflow = false): StepAdmissionCheck => ({
    name: 'refusing',
    appliesTo: () => true,
    admit: async () => ({ admitted: false, retryInMs, reason: 'full', kind: 'concurrency', holdsWorkflow }),
  });

  it('spreads a refusal’s delay, so steps refused together do not come back at one instant', async () => {
    const gate = new StepAdmissionGate([refusing(2000)], { random: () => 0.5 });
    expect(await gate.admit(step)).toMatchObject({ admitted: false, retryInMs: 2200, reason: 'full' });
  });

  it('leaves a wait only a person ends as its check said', async () => {
    const gate = new StepAdmissionGate([refusing(2000, true)], { random: () => 0.5 });
    expect(await gate.admit(step)).toMatchObject({ admitted: false, retryInMs: 2000 });
  });
});
