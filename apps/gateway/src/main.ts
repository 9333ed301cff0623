import './tracing';
import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { GatewayConfig } from '@app/config';
import { bootstrapApp } from '@app/observability';
import helmet from 'helmet';
import { ApiExceptionFilter } from './api-exception.filter';
import { bodyParserErrors } from './body-parser-errors';
import { corsOptions } from './cors-options';
import { serveDashboard } from './dashboard/dashboard-files';
import { setupApiDocs } from './docs/api-docs';
import { GatewayModule } from './gateway.module';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { RequestValidationPipe } from './request-validation.pipe';

export async function configureGateway(app: INestApplication): Promise<void> {
  const config = app.get(GatewayConfig);
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: config.REQUEST_BODY_LIMIT_BYTES });
  express.use(bodyParserErrors(config.REQUEST_BODY_LIMIT_BYTES));
  express.disable('x-powered-by');
  app.use(helmet());
  serveDashboard(express, config.DASHBOARD_DIR);
  app.enableCors(corsOptions(config.CORS_ORIGINS));
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(new RequestValidationPipe());
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  await setupApiDocs(app);
}

void bootstrapApp({ module: GatewayModule, schema: GatewayConfig, configure: configureGateway });
