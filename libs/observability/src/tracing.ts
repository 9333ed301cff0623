/**
 * Starts OpenTelemetry tracing for an app when the standard variables ask for it. Each app calls
 * it from the first module its `main.ts` imports: the instrumentations patch http, ioredis and pg
 * only if they are in place before those modules load. Nest-free on purpose, and the SDK itself is
 * loaded only when tracing is on, so an app with tracing off neither loads nor starts it.
 */
export interface TracingOptions {
  /** `service.name` of its spans, unless OTEL_SERVICE_NAME says otherwise. */
  service: string;
  /** Socket.IO events whose emits get no span (deliveries that would each be a trace of their own). */
  untracedSocketEmits?: string[];
}

/** Environment variables, as the OpenTelemetry SDK reads them. */
type Environment = Record<string, string | undefined>;

/**
 * On when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or its traces-only variant) or
 * OTEL_TRACES_EXPORTER names an exporter; off otherwise, with OTEL_SDK_DISABLED=true, or with
 * OTEL_TRACES_EXPORTER=none.
 */
export function isTracingRequested(env: Environment): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return false;
  return (
    exporters.length > 0 || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
  );
}

/** The SDK started by {@link startTracing}, if any. */
let running: { shutdown(): Promise<void> } | undefined;

export function startTracing(options: TracingOptions): void {
  if (running || !isTracingRequested(process.env)) return;
  // Loaded here, not imported: an app with tracing off does not even load the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startTracingSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  running = startTracingSdk(options);
}

/** Sends the spans still batched and stops the SDK; nothing to do when tracing is off. */
export async function stopTracing(): Promise<void> {
  await running?.shutdown();
  running = undefined;
}
