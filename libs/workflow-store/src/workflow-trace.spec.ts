import { INVALID_SPAN_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { contextOfTraceParent, traceIdOf, traceParentOf } from './workflow-trace';

const SPAN = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };

describe('a workflow’s traceparent', () => {
  it('is written from a sampled span and read back as the parent of the steps’ spans', () => {
    const traceparent = traceParentOf({ ...SPAN, traceFlags: TraceFlags.SAMPLED });
    expect(traceparent).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(trace.getSpanContext(contextOfTraceParent(traceparent))).toEqual({
      ...SPAN,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(traceIdOf(traceparent)).toBe(SPAN.traceId);
  });

  it('keeps a sampled-out decision, so the steps are not recorded either', () => {
    const traceparent = traceParentOf({ ...SPAN, traceFlags: TraceFlags.NONE });
    expect(traceparent).toMatch(/-00$/);
    expect(trace.getSpanContext(contextOfTraceParent(traceparent))?.traceFlags).toBe(TraceFlags.NONE);
  });

  it('is absent with tracing off (the no-op span), and then steps start from no parent', () => {
    expect(traceParentOf(INVALID_SPAN_CONTEXT)).toBeUndefined();
    expect(traceParentOf(undefined)).toBeUndefined();
    expect(trace.getSpanContext(contextOfTraceParent(undefined))).toBeUndefined();
    expect(trace.getSpanContext(contextOfTraceParent('garbage'))).toBeUndefined();
    expect(traceIdOf(undefined)).toBeNull();
  });
});
