import { FlowControlKeys } from '../flow-control-keys';
import { FlowControlRedis } from '../flow-control-redis';
import { LimitAnswer } from '../step-limiter';
import { LlmLimit } from './llm-limit-settings';

/**
 * The limits of a (provider, model) every worker's language-model client obeys: requests by GCRA
 * and tokens by a weighted GCRA (a token bucket), asked together in one call to Redis so a call
 * refused by one limit spends nothing of the other (llm-limit-scripts.lua.ts).
 */
export class LlmLimiter {
  constructor(
    private readonly redis: FlowControlRedis,
    private readonly keys: FlowControlKeys,
  ) {}

  /** Counts one request and `tokens` (the call's estimate) if both conform; else how long to wait. */
  async take(provider: string, model: string, limit: LlmLimit, tokens: number): Promise<LimitAnswer> {
    const { requests, tokens: tokenKey } = this.keys.llm(provider, model);
    const [isAllowed, retryInMs] = (await this.redis.call(
      'llm_acquire',
      [requests, tokenKey],
      [
        requestIntervalMs(limit),
        limit.burst ?? 1,
        tokenIntervalMs(limit),
        limit.tokens ?? 0,
        Math.max(0, Math.ceil(tokens)),
      ],
    )) as [number, number];
    return isAllowed === 1 ? { isAllowed: true } : { isAllowed: false, retryInMs };
  }

  /** Charges (`delta` > 0) or refunds (`delta` < 0) the tokens a call spent beyond its estimate. */
  async correct(provider: string, model: string, limit: LlmLimit, delta: number): Promise<void> {
    if (!limit.tokens || delta === 0) return;
    await this.redis.call(
      'llm_correct',
      [this.keys.llm(provider, model).tokens],
      [tokenIntervalMs(limit), delta],
    );
  }
}

const requestIntervalMs = (limit: LlmLimit) => (limit.requests ? periodMsOf(limit) / limit.requests : 0);

const tokenIntervalMs = (limit: LlmLimit) => (limit.tokens ? periodMsOf(limit) / limit.tokens : 0);

const periodMsOf = (limit: LlmLimit) => (limit.periodSeconds ?? 60) * 1000;
