import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';

export const DATABASE_WRITE_FAILURES_METRIC = 'database_write_failures_total';

const TABLES = ['log_entries', 'agent_executions', 'workflow_runs', 'llm_calls'] as const;

export const DATABASE_WRITE_FAILURES_PROVIDER = makeCounterProvider({
  name: DATABASE_WRITE_FAILURES_METRIC,
  help: 'Batches the metrics service could not write to PostgreSQL (kept and retried), by table',
  labelNames: ['table'],
});

/** The one alert-worthy figure of a PostgreSQL outage: each write is retried, so nothing else fails. */
@Injectable()
export class DatabaseWriteFailures {
  constructor(@InjectMetric(DATABASE_WRITE_FAILURES_METRIC) private readonly failures: Counter<string>) {
    // Exported at 0 from the start, so that the alert's increase() has a series to compare.
    for (const table of TABLES) this.failures.inc({ table }, 0);
  }

  count(table: (typeof TABLES)[number]): void {
    this.failures.inc({ table });
  }
}
