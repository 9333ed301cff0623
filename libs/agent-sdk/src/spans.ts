import {
  Context,
  Span,
  SpanOptions,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { describeError } from './agent-errors';

const tracer = trace.getTracer('agent-orchestrator');

/** Marks a span as failed with `error`, as OpenTelemetry expects an error to be recorded. */
export function recordSpanError(span: Span, error: unknown, errorType?: string): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
  if (errorType) span.setAttribute('error.type', errorType);
}

/**
 * Runs `work` in a new span, the active one while it runs (so spans started beneath, such as an
 * agent's own or an instrumented Redis call, become its children), ended when it settles; a
 * rejection is recorded as the span's error. `parent` defaults to the active context. With
 * tracing off the span is the API's no-op one: the cost is a few function calls.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions & { parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const { parent = context.active(), ...spanOptions } = options;
  return tracer.startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      recordSpanError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The active span's trace and span ids, to put on a log line; none when tracing is off. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
