import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { BreakerStore, DEPENDENCY_NAME, FlowControlRedis } from '@app/flow-control';
import { REDIS_CLIENT, RedisClient } from '@app/redis';
import { CircuitBreakerStatus } from './circuit-breaker-status.dto';

/** The workers' circuit breakers, read and reset in Redis where the workers keep them. */
@Injectable()
export class CircuitBreakersService {
  private readonly store: BreakerStore;

  constructor(@Inject(REDIS_CLIENT) redis: RedisClient, config: ServiceConfig) {
    this.store = new BreakerStore(new FlowControlRedis(redis), config.REDIS_PREFIX);
  }

  list(): Promise<CircuitBreakerStatus[]> {
    return this.store.list();
  }

  async reset(dependency: string): Promise<CircuitBreakerStatus> {
    const reset = DEPENDENCY_NAME.test(dependency) ? await this.store.reset(dependency) : null;
    if (!reset) throw new NotFoundException(`no circuit breaker for ${dependency}`);
    return reset;
  }
}
