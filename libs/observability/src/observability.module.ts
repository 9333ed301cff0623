import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ServiceConfig } from '@app/config';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { activeTraceIds } from '@app/agent-sdk';
import { HealthController, READINESS_CHECKS, ReadinessCheck } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsPortServer } from './metrics-port.server';
import { TracingShutdown } from './tracing-shutdown';

export interface ObservabilityOptions {
  /** The app's name, on every log line and metric. */
  service: string;
  /** Providers whose `check()` readiness runs (Redis, PostgreSQL, queues...). */
  indicators: Type<{ check(): ReturnType<ReadinessCheck> }>[];
  /** Modules the indicators need. */
  imports?: DynamicModule['imports'];
}

/**
 * What every app has the same way: JSON logs through pino, Prometheus `GET /metrics` with the
 * default process metrics (on METRICS_PORT when set, which keeps it off PORT's Ingress), and
 * `GET /health` (+ `/health/ready`, `/health/live`).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    const checks: Provider = {
      provide: READINESS_CHECKS,
      inject: options.indicators,
      useFactory: (...indicators: { check(): ReturnType<ReadinessCheck> }[]): ReadinessCheck[] =>
        indicators.map((indicator) => () => indicator.check()),
    };
    return {
      module: ObservabilityModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        ...(options.imports ?? []),
        LoggerModule.forRootAsync({
          inject: [ServiceConfig],
          useFactory: (config: ServiceConfig) => ({
            pinoHttp: {
              level: config.LOG_LEVEL,
              base: { service: options.service },
              // The trace and span a line was written in, when tracing is on.
              mixin: activeTraceIds,
              // Request logs are noise for health probes and scrapes.
              autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
              redact: ['req.headers.authorization', 'req.headers.cookie'],
            },
          }),
        }),
        PrometheusModule.register({
          controller: MetricsController,
          path: '/metrics',
          defaultMetrics: { enabled: true },
          defaultLabels: { service: options.service },
        }),
      ],
      controllers: [HealthController],
      providers: [...options.indicators, checks, TracingShutdown, MetricsPortServer],
    };
  }
}
