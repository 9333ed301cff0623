import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { GatewayConfig } from '@app/config';
import { ServerSocketEvent, StepTokensEvent, stepTokensChannel, workflowRoom } from '@app/contracts';
import { createRedisConnection, RedisClient } from '@app/redis';
import { Server } from 'socket.io';

/**
 * Relays the pieces of streamed model answers the workers publish to the sockets subscribed to
 * their workflow (`step.tokens`). They are not workflow events: nothing is kept or replayed, so a
 * socket hears the pieces published while it is subscribed. Every replica hears every piece and
 * emits to its own sockets only. It shares the Socket.IO server of the workflow events' gateway
 * (same port and path), where the sockets join their workflows' rooms once authorized.
 */
@WebSocketGateway()
export class StepTokensGateway implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StepTokensGateway.name);
  private subscriber?: RedisClient;

  @WebSocketServer() private readonly server!: Server;

  constructor(private readonly config: GatewayConfig) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = createRedisConnection(
      this.config.REDIS_URL,
      `${this.config.REDIS_PREFIX}-gateway-tokens`,
    );
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    await this.subscriber.subscribe(stepTokensChannel(this.config.REDIS_PREFIX));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  private receive(message: string): void {
    let event: StepTokensEvent;
    try {
      event = JSON.parse(message) as StepTokensEvent;
    } catch {
      this.logger.error(`ignored an unreadable step-tokens message: ${message.slice(0, 200)}`);
      return;
    }
    // `local`: each replica received the message itself; a broadcast would reach sockets N times.
    this.server?.local.to(workflowRoom(event.workflowId)).emit(ServerSocketEvent.StepTokens, event);
  }
}
