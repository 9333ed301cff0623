import { escapeHashTagPart } from '@app/redis/hash-tag';

/**
 * Every Redis key flow control uses, declared once. Each function call touches one key, and each
 * key carries its own hash tag (the `{...}` part), so on a Redis Cluster every call lands on the
 * node owning its key's slot and different keys spread across nodes. A key value that holds a
 * brace is escaped, or it would end the tag early and two limits could share a slot by accident.
 *
 * Layout (P = the deployment's key prefix, REDIS_PREFIX):
 *   P:flow:{rate:L:V}      string: a GCRA rate limit's theoretical arrival time in ms (limit L, key value V)
 *   P:flow:{slots:L:V}     sorted set: a concurrency limit's leased slots, holder token → lease end ms
 *   P:flow:{fair:Q}        hash: queue Q's fair-share clock: v (the band served last), n (steps queued,
 *                          every tenant), e (the epoch: bands start over from 0 when nothing is queued)
 *   P:flow:{fair:Q}:T      hash: tenant T's next free band on queue Q per workflow priority 1..5, and the
 *                          epoch it was set in
 *   P:flow:{budget:S:N}:limit    hash: the budget an admin set for subject N of scope S (tenant, agent,
 *                                workflow): tokens, costUsd (a number, or 'off' to lift a default)
 *   P:flow:{budget:S:N}:D        hash: what N spent in period D (a UTC day, or 'all' for a workflow):
 *                                tokens, costUsd; a day's key expires a day after that day ends
 *   P:flow:{budget:S:N}:waiting  set: the step jobs (`queue|jobId`) waiting for N's budget, woken when it is raised
 *   P:flow:{budgets}:subjects    sorted set: every subject with a budget of its own (`scope:subject` → when
 *                                it lapses, ms), read by workers so that a step nobody budgeted costs no check
 *   P:flow:{budgets}:version     string: bumped on every change of that index
 *   P:flow:budgets:changed       pub/sub channel (not a key): the index's new version, after each change
 *   P:flow:{llm:PR:M}:requests   string: the GCRA arrival time in ms of model M's calls at provider PR
 *   P:flow:{llm:PR:M}:tokens     string: the same of its tokens (a weighted GCRA: a token bucket)
 */
export class FlowControlKeys {
  constructor(private readonly prefix: string) {}

  rate(limit: string, value: string): string {
    return `${this.prefix}:flow:{rate:${escapeHashTagPart(limit)}:${escapeHashTagPart(value)}}`;
  }

  slots(limit: string, value: string): string {
    return `${this.prefix}:flow:{slots:${escapeHashTagPart(limit)}:${escapeHashTagPart(value)}}`;
  }

  /** A queue's fair-share clock and a tenant's bands on it, under one hash tag: one call reads both. */
  fairShare(queue: string, tenant: string): { clock: string; tenant: string } {
    const clock = `${this.prefix}:flow:{fair:${escapeHashTagPart(queue)}}`;
    return { clock, tenant: `${clock}:${escapeHashTagPart(tenant)}` };
  }

  /**
   * A budget's keys: what an admin set, what was spent in `period`, and the jobs waiting for it.
   * They share one hash tag, so one function call may read the limit and the spend together.
   */
  budget(scope: string, subject: string, period: string): { limit: string; spent: string; waiting: string } {
    const tag = `${this.prefix}:flow:{budget:${escapeHashTagPart(scope)}:${escapeHashTagPart(subject)}}`;
    return { limit: `${tag}:limit`, spent: `${tag}:${escapeHashTagPart(period)}`, waiting: `${tag}:waiting` };
  }

  /**
   * The index of budgeted subjects and its version, under one hash tag, and the channel its
   * changes are announced on (see BudgetedSubjects).
   */
  budgetIndex(): { subjects: string; version: string; changes: string } {
    const tag = `${this.prefix}:flow:{budgets}`;
    return {
      subjects: `${tag}:subjects`,
      version: `${tag}:version`,
      changes: `${this.prefix}:flow:budgets:changed`,
    };
  }

  /** A model's request and token limits, under one hash tag: one function call asks both. */
  llm(provider: string, model: string): { requests: string; tokens: string } {
    const tag = `${this.prefix}:flow:{llm:${escapeHashTagPart(provider)}:${escapeHashTagPart(model)}}`;
    return { requests: `${tag}:requests`, tokens: `${tag}:tokens` };
  }

  /** Every flow-control key of the prefix, for tests and an operator's cleanup. */
  get pattern(): string {
    return `${this.prefix}:flow:*`;
  }
}
