import {
  Context,
  ROOT_CONTEXT,
  SpanContext,
  TraceFlags,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';

const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The W3C `traceparent` of a span, kept with the workflow so that every step, on any worker and
 * after any retry or recovery, joins the trace it was started in. Undefined when tracing is off
 * (the API's no-op span has no valid context), so nothing is stored.
 */
export function traceParentOf(spanContext: SpanContext | undefined): string | undefined {
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** A context whose parent is the span of `traceparent` (a root context when there is none). */
export function contextOfTraceParent(traceparent: string | undefined): Context {
  const match = traceparent ? TRACE_PARENT.exec(traceparent) : null;
  if (!match) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = match;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
  });
}

/** The trace id a `traceparent` names, or null. */
export function traceIdOf(traceparent: string | undefined): string | null {
  return (traceparent && TRACE_PARENT.exec(traceparent)?.[1]) || null;
}
