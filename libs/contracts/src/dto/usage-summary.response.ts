import type { UsageGroup } from './usage.query';

/** What language-model calls spent. */
export class UsageFigures {
  /** Calls made, failed ones included. */
  calls!: number;
  /** Calls that did not end `ok` (rate-limited, cancelled, ...). */
  failedCalls!: number;
  promptTokens!: number;
  completionTokens!: number;
  /** US dollars, from the workers' price table when the calls were made. */
  costUsd!: number;
  /** Calls whose tokens were estimated from the text (the provider reported none, a stream was cancelled). */
  estimatedCalls!: number;
}

/** The figures of one group: one model, agent, tenant or UTC day (`YYYY-MM-DD`). */
export class UsageGroupFigures extends UsageFigures {
  key!: string;
}

/** `GET /usage`: the calls' figures per group, highest cost first (by day: oldest first), and in total. */
export class UsageSummary {
  groupBy!: UsageGroup;
  /** The range asked for; null when open. */
  from!: string | null;
  to!: string | null;
  /** The tenant the figures are limited to; null for every tenant (admins). */
  tenantId!: string | null;
  groups!: UsageGroupFigures[];
  total!: UsageFigures;
}
