import { isTracingRequested } from './tracing';

describe('whether tracing starts', () => {
  it('is off when no OpenTelemetry variable is set', () => {
    expect(isTracingRequested({})).toBe(false);
  });

  it.each([
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
    { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' },
    { OTEL_TRACES_EXPORTER: 'console' },
    { OTEL_TRACES_EXPORTER: 'otlp' },
  ])('is on with %j', (env) => {
    expect(isTracingRequested(env)).toBe(true);
  });

  it.each([
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' },
    { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' },
    { OTEL_TRACES_EXPORTER: ' ' },
  ])('is off with %j', (env) => {
    expect(isTracingRequested(env)).toBe(false);
  });
});
