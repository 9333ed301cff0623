import { Agent, AgentContext, NetworkError } from '@app/agent-sdk';
import { RedisClient } from '@app/redis';
import { connectTestRedis } from './test-environment';

/**
 * Agents with limits, for the flow-control specs; loaded into orchestrators through
 * `AGENT_MODULES` beside test-agents.ts.
 */
let redis: RedisClient | null = null;
const connection = () => (redis ??= connectTestRedis());
/** (Test code: it reads the environment the spec gave the process.) */
const namespace = () => process.env.REDIS_PREFIX ?? 'test';

/** The key where a step of `test-hold` says which process began it, and when. */
export const holdStartedKey = (prefix: string, workflowId: string) => `${prefix}:test:hold:${workflowId}`;

/** The limits of `test-provider-call`: what the fake provider must never see exceeded. */
export const PROVIDER_RATE = { requests: 5, periodSeconds: 1, burst: 2 };
export const PROVIDER_CONCURRENCY = { slots: 2, leaseSeconds: 10 };
/** The lease of `test-hold`'s single slot: how long a dead holder keeps it. */
export const HOLD_LEASE_SECONDS = 3;

/**
 * Calls the fake provider at `input.providerUrl` (POST, its workflow, step and `input.site`) and
 * returns what it answered; a provider error is a network error, which is retried.
 */
const providerCall: Agent = {
  descriptor: {
    name: 'test-provider-call',
    version: '1.0.0',
    description: 'calls the fake provider of the flow-control spec',
    limits: [{ name: 'provider', key: ['agent'], rate: PROVIDER_RATE, concurrency: PROVIDER_CONCURRENCY }],
  },
  async execute(context: AgentContext) {
    const response = await fetch(String(context.input.providerUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        workflowId: context.workflowId,
        stepId: context.stepId,
        site: context.input.site,
      }),
      signal: context.signal,
    });
    if (!response.ok) throw new NetworkError(`provider answered ${response.status}`);
    return (await response.json()) as unknown;
  },
};

/**
 * Holds one slot (of one, by agent) for `input.holdMs`, saying first which process holds it; a
 * step run again (its first worker died) holds it only briefly.
 */
const hold: Agent = {
  descriptor: {
    name: 'test-hold',
    version: '1.0.0',
    description: 'holds the only slot of its concurrency limit',
    limits: [{ name: 'single', key: ['agent'], concurrency: { slots: 1, leaseSeconds: HOLD_LEASE_SECONDS } }],
  },
  async execute(context: AgentContext) {
    const runs = await connection().rpush(
      holdStartedKey(namespace(), context.workflowId),
      JSON.stringify({ pid: process.pid, startedAt: Date.now() }),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, runs > 1 ? 10 : Number(context.input.holdMs ?? 0));
      context.signal.addEventListener('abort', () => (clearTimeout(timer), reject(context.signal.reason)), {
        once: true,
      });
    });
    return { pid: process.pid };
  },
};

export function createAgents(): Agent[] {
  return [providerCall, hold];
}
