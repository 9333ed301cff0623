import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { GatewayConfig } from '@app/config';
import { ApiKeyEntity } from '@app/persistence';
import { RedisClient, createRedisConnection, isCluster } from '@app/redis';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { DataSource } from 'typeorm';
import { ApiKeyThrottlerGuard } from './api-key-throttler.guard';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { IdentityController } from './identity.controller';
import { RateLimitKeys } from './rate-limit-keys';

/**
 * The rate limit's counters in Redis, on a connection made the apps' way (to a Redis Cluster too:
 * the storage puts each counter's keys under one hash tag), closed with the app.
 */
class RateLimitStorage extends ThrottlerStorageRedisService {
  private readonly connection: RedisClient;

  constructor(connection: RedisClient) {
    // The storage's constructor takes a Redis or a Cluster, one overload each.
    if (isCluster(connection)) super(connection);
    else super(connection);
    this.connection = connection;
  }

  override onModuleDestroy(): void {
    this.connection.disconnect();
  }
}

/**
 * API keys and what hangs on them: the guard every route passes (authentication, then roles),
 * then the per-key rate limit. Global, so the Socket.IO gateway authenticates handshakes too.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig) => ({
        throttlers: [
          { name: RateLimitKeys.throttler, ttl: RateLimitKeys.windowMs, limit: config.RATE_LIMIT_PER_MINUTE },
        ],
        // One budget per key for the whole API, not one per route.
        generateKey: (_context, tracker, name) => RateLimitKeys.counter(tracker, name),
        errorMessage: 'too many requests: slow down and retry after the number of seconds in Retry-After',
        storage: new RateLimitStorage(
          createRedisConnection(config.REDIS_URL, `${config.REDIS_PREFIX}-rate-limit`, {
            keyPrefix: RateLimitKeys.storagePrefix(config.REDIS_PREFIX),
          }),
        ),
      }),
    }),
  ],
  controllers: [ApiKeysController, IdentityController],
  providers: [
    {
      provide: ApiKeysService,
      inject: [DataSource, GatewayConfig],
      useFactory: (dataSource: DataSource, config: GatewayConfig) =>
        new ApiKeysService(dataSource.getRepository(ApiKeyEntity), config.BOOTSTRAP_ADMIN_KEY),
    },
    // In this order: the rate limit counts per key, so the key is resolved first.
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
  ],
  // The throttler's storage too: Socket.IO events draw on the same per-key budget.
  exports: [ApiKeysService, ThrottlerModule],
})
export class AuthModule {}
