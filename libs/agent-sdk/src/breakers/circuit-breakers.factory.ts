import { BreakerConfiguration, BreakerStore, FlowControlRedis } from '@app/flow-control';
import { createRedisConnection } from '@app/redis';
import { Registry } from 'prom-client';
import type { WorkerLogger } from '../worker/worker-logger';
import { BreakerMetrics } from './breaker-metrics';
import { CircuitBreakers } from './circuit-breakers';

export interface CircuitBreakersConnection {
  /** The Redis every worker shares (`REDIS_URL`) and its key prefix (`REDIS_PREFIX`). */
  redisUrl: string;
  prefix: string;
  /** `CIRCUIT_BREAKERS`, parsed by `parseBreakerConfiguration`. */
  settings?: BreakerConfiguration;
  logger: WorkerLogger;
  /** Where `circuit_breaker_*` go; prom-client's default registry unless given. */
  metricsRegistry?: Registry;
}

/**
 * Circuit breakers on a connection of their own, for code that calls dependencies outside an agent
 * worker, or before the worker exists (HTTP agents are made first and handed to it): give the same
 * instance to the agents and to `createAgentWorker({ circuitBreakers })`, and `close` it last.
 */
export function connectCircuitBreakers(options: CircuitBreakersConnection): CircuitBreakers {
  const connection = createRedisConnection(options.redisUrl, `${options.prefix}-circuit-breakers`, {
    autoPipelining: true,
  });
  return new CircuitBreakers({
    store: new BreakerStore(new FlowControlRedis(connection), options.prefix),
    configured: options.settings,
    logger: options.logger,
    metrics: new BreakerMetrics(options.metricsRegistry),
    connection,
  });
}
