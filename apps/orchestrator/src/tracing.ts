// main.ts's first import: tracing must start before http, ioredis and pg load.
import { startTracing } from '@app/observability/tracing';

startTracing({ service: 'orchestrator' });
