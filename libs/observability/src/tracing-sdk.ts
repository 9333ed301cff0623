import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { SocketIoInstrumentation } from '@opentelemetry/instrumentation-socket.io';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TracingOptions } from './tracing';

/** Requests that are not work: probes, scrapes, the socket transport's polling. */
const UNTRACED_PATHS = /^\/(health|metrics|socket\.io)(\/|\?|$)/;

/**
 * The SDK for traces only (metrics stay with Prometheus, logs with pino): the exporter, sampler
 * and limits come from the standard OTEL_* variables. Redis, PostgreSQL and outgoing HTTP calls
 * get a span only beneath another, so BullMQ's polling and the background timers start no traces.
 */
export function startTracingSdk(options: TracingOptions): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? options.service,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new NestInstrumentation(),
      new SocketIoInstrumentation({ emitIgnoreEventList: options.untracedSocketEmits ?? [] }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return sdk;
}
