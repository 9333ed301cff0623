import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { GatewayConfig } from '@app/config';
import { createRedisConnection, RedisClient } from '@app/redis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Server, ServerOptions } from 'socket.io';
import { corsOptions } from '../cors-options';

/**
 * Socket.IO through the Redis Streams adapter, so gateway replicas share rooms and broadcasts
 * (the streams adapter, unlike the pub/sub one, survives a Redis blip without losing packets).
 */
export class RedisIoAdapter extends IoAdapter {
  private redis: RedisClient | null = null;

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const config = this.app.get(GatewayConfig);
    this.redis = createRedisConnection(config.REDIS_URL, `${config.REDIS_PREFIX}-socket.io`);
    const server = super.createIOServer(port, {
      ...options,
      cors: corsOptions(config.CORS_ORIGINS),
      maxHttpBufferSize: config.REQUEST_BODY_LIMIT_BYTES,
    }) as Server;
    server.adapter(createAdapter(this.redis, { streamName: `${config.REDIS_PREFIX}:socket.io` }));
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
