// Imported first by bench/run.ts: tracing starts (when the OTEL_* variables ask for it) before
// ioredis loads, so `OTEL_EXPORTER_OTLP_ENDPOINT=... npm run bench engine` measures its cost.
import { startTracing } from '@app/observability/tracing';

startTracing({ service: 'bench' });
