import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GatewayConfig } from '@app/config';
import { ServerSocketEvent, WorkflowSummary, runsRoom } from '@app/contracts';
import { createRedisConnection, RedisClient } from '@app/redis';
import { WorkflowKeys } from '@app/workflow-store';
import { Server } from 'socket.io';

/**
 * Tells the sockets watching runs (the dashboard's list) about every workflow whose status
 * changed, as the metrics service projects it into PostgreSQL: the list and the feed show the
 * same rows. Every gateway replica hears every change and emits to its own sockets only.
 */
@Injectable()
export class WorkflowRunsFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WorkflowRunsFeed.name);
  private subscriber!: RedisClient;
  private server?: Server;

  constructor(private readonly config: GatewayConfig) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = createRedisConnection(
      this.config.REDIS_URL,
      `${this.config.REDIS_PREFIX}-gateway-runs`,
    );
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    await this.subscriber.subscribe(new WorkflowKeys(this.config.REDIS_PREFIX).runsChannel);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber.disconnect());
  }

  /** Called once the Socket.IO server exists. */
  attach(server: Server): void {
    this.server = server;
  }

  private receive(message: string): void {
    let summaries: WorkflowSummary[];
    try {
      summaries = JSON.parse(message) as WorkflowSummary[];
    } catch {
      this.logger.error(`ignored an unreadable runs message: ${message.slice(0, 200)}`);
      return;
    }
    // `local`: each replica received the message itself; a broadcast would reach sockets N times.
    for (const summary of summaries) {
      this.server?.local
        .to([runsRoom(null), runsRoom(summary.tenantId)])
        .emit(ServerSocketEvent.Run, summary);
    }
  }
}
