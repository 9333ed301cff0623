import { Agent } from '@app/agent-sdk';
import { StepLimit } from '@app/contracts';

/**
 * No-op agents for `npm run bench limits`: one without limits, and the same with one limit on
 * every step, set so high that it never refuses, so the bench measures what asking it costs.
 */
const noop = (name: string, limits?: StepLimit[]): Agent => ({
  descriptor: { name, version: '1.0.0', description: 'does nothing', ...(limits ? { limits } : {}) },
  execute: () => Promise.resolve(null),
});

export function createAgents(): Agent[] {
  return [
    noop('bench-unlimited'),
    noop('bench-rate-limited', [
      { name: 'provider', key: ['agent', 'tenant'], rate: { requests: 1e9, periodSeconds: 1, burst: 1e9 } },
    ]),
    noop('bench-slot-limited', [{ name: 'provider', key: ['agent', 'tenant'], concurrency: { slots: 1e6 } }]),
  ];
}
