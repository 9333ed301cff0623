import 'reflect-metadata';
import { INestApplication, ValidationPipe } from '@nestjs/common';
import { bootstrapApp } from '@app/observability';
import { GatewayModule } from './gateway.module';
import { RedisIoAdapter } from './realtime/redis-io.adapter';

export function configureGateway(app: INestApplication): void {
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.useWebSocketAdapter(new RedisIoAdapter(app));
}

void bootstrapApp(GatewayModule, configureGateway);
