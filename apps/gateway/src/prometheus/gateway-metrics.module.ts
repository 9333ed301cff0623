import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { QueueAdminModule } from '../queues/queues.module';
import { AgentWorkersMetrics } from './agent-workers.metrics';
import { HTTP_REQUEST_DURATION_PROVIDER, HttpRequestMetrics } from './http-request.metrics';
import { QueueDepthMetrics } from './queue-depth.metrics';

/** The gateway's own figures on `GET /metrics`: REST requests, queue depth, live workers. */
@Module({
  imports: [QueueAdminModule],
  providers: [HTTP_REQUEST_DURATION_PROVIDER, QueueDepthMetrics, AgentWorkersMetrics],
})
export class GatewayMetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpRequestMetrics).forRoutes('*path');
  }
}
