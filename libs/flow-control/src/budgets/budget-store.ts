import { FlowControlKeys } from '../flow-control-keys';
import { FlowControlRedis } from '../flow-control-redis';
import { BudgetDefaults, BudgetLimit, BudgetScope } from './budget-settings';

/** How long a workflow's budget and spend stay after its last call or change: past any run's life. */
export const WORKFLOW_BUDGET_TTL_MS = 30 * 24 * 3600 * 1000;
/** How long a waiting job is remembered for waking; a step asks again on its own long before. */
const WAITING_TTL_MS = 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** A budget and what was spent against it in its current period. */
export interface BudgetStanding {
  scope: BudgetScope;
  subject: string;
  /** The UTC day (YYYY-MM-DD) for a tenant or an agent; `all` for a workflow. */
  period: string;
  /** What is in force: an admin's, else the deployment's default; null for no limit. */
  limit: { tokens: number | null; costUsd: number | null };
  spent: { tokens: number; costUsd: number };
}

/** A budget an admin sets: a number, `null` for no limit (whatever the default), absent for the default. */
export interface BudgetSetting {
  tokens?: number | null;
  costUsd?: number | null;
}

/** The model call's share of the budgets: its workflow's, its tenant's day's and its agent's day's. */
export interface BudgetSpender {
  workflowId: string;
  tenantId: string;
  agent: string;
}

/**
 * The budgets in Redis (budget-scripts.lua.ts): what admins set, what model calls spent, and the
 * step jobs waiting for a budget to be raised. Workers count and read; the gateway sets and wakes.
 */
export class BudgetStore {
  constructor(
    private readonly redis: FlowControlRedis,
    private readonly keys: FlowControlKeys,
    private readonly defaults: BudgetDefaults = {},
  ) {}

  /** A budget's standing now (a tenant's or an agent's today, UTC). */
  async read(scope: BudgetScope, subject: string, now = new Date()): Promise<BudgetStanding> {
    const period = periodOf(scope, now);
    const keys = this.keys.budget(scope, subject, period);
    const fallback = this.defaultOf(scope);
    const [limitTokens, spentTokens, limitCost, spentCost] = (await this.redis.call(
      'budget_read',
      [keys.limit, keys.spent],
      [fallback.tokens ?? '', fallback.costUsd ?? ''],
    )) as string[];
    return {
      scope,
      subject,
      period,
      limit: { tokens: numberOrNull(limitTokens), costUsd: numberOrNull(limitCost) },
      spent: { tokens: Number(spentTokens), costUsd: Number(spentCost) },
    };
  }

  /** Counts a model call against its three budgets (a call that spent nothing is not counted). */
  async spend(
    spender: BudgetSpender,
    spent: { tokens: number; costUsd: number },
    now = new Date(),
  ): Promise<void> {
    if (spent.tokens <= 0 && spent.costUsd <= 0) return;
    const day = utcDay(now);
    const dayEndsAt = Date.parse(`${day}T00:00:00Z`) + DAY_MS;
    const counts = [Math.max(0, Math.round(spent.tokens)), Math.max(0, spent.costUsd).toString()];
    await Promise.all([
      this.redis.call(
        'budget_spend',
        [this.keys.budget('workflow', spender.workflowId, 'all').spent],
        [...counts, 'in', WORKFLOW_BUDGET_TTL_MS],
      ),
      ...(
        [
          ['tenant', spender.tenantId],
          ['agent', spender.agent],
        ] as const
      ).map(([scope, subject]) =>
        this.redis.call(
          'budget_spend',
          [this.keys.budget(scope, subject, day).spent],
          [...counts, 'at', dayEndsAt + DAY_MS],
        ),
      ),
    ]);
  }

  /**
   * Sets a budget (a workflow's lives as long as its spend; a tenant's or an agent's until changed),
   * and keeps the index of budgeted subjects that workers read (see BudgetedSubjects): indexed
   * before a limit is set, so no worker skips a limit in force; removed after the last is lifted.
   */
  async set(scope: BudgetScope, subject: string, setting: BudgetSetting, now = Date.now()): Promise<void> {
    const encode = (value: number | null | undefined) =>
      value === undefined ? '' : value === null ? 'off' : String(value);
    const hasLimit = typeof setting.tokens === 'number' || typeof setting.costUsd === 'number';
    const lapsesAt = scope === 'workflow' ? now + WORKFLOW_BUDGET_TTL_MS : '+inf';
    if (hasLimit) await this.index(scope, subject, lapsesAt);
    await this.redis.call(
      'budget_set',
      [this.keys.budget(scope, subject, 'all').limit],
      [encode(setting.tokens), encode(setting.costUsd), scope === 'workflow' ? WORKFLOW_BUDGET_TTL_MS : 0],
    );
    if (!hasLimit) await this.index(scope, subject, 'remove');
  }

  /**
   * The subjects with a budget of their own, when they changed since `version`: `null` when they
   * did not, else the new version and the `scope:subject` members (see {@link budgetedSubject}).
   */
  /** The channel each change of the index is announced on, with its new version. */
  get changesChannel(): string {
    return this.keys.budgetIndex().changes;
  }

  async subjects(version: string, now = Date.now()): Promise<{ version: string; subjects: string[] } | null> {
    const index = this.keys.budgetIndex();
    const [current, ...subjects] = (await this.redis.call(
      'budget_subjects',
      [index.subjects, index.version],
      [version, now],
    )) as string[];
    return current === version ? null : { version: current, subjects };
  }

  private async index(
    scope: BudgetScope,
    subject: string,
    lapsesAt: number | '+inf' | 'remove',
  ): Promise<void> {
    const index = this.keys.budgetIndex();
    await this.redis.call(
      'budget_index',
      [index.subjects, index.version],
      [budgetedSubject(scope, subject), lapsesAt, index.changes],
    );
  }

  /** Remembers a step job (its queue and id) as waiting for this budget, to wake it when raised. */
  async wait(scope: BudgetScope, subject: string, queue: string, jobId: string): Promise<void> {
    await this.redis.call(
      'budget_wait',
      [this.keys.budget(scope, subject, 'all').waiting],
      [`${queue}|${jobId}`, WAITING_TTL_MS],
    );
  }

  /** Takes the jobs waiting for this budget: `{ queue, jobId }` each, for the caller to wake. */
  async takeWaiting(scope: BudgetScope, subject: string): Promise<{ queue: string; jobId: string }[]> {
    const members = (await this.redis.call(
      'budget_take_waiting',
      [this.keys.budget(scope, subject, 'all').waiting],
      [],
    )) as string[];
    return members.map((member) => {
      const at = member.indexOf('|');
      return { queue: member.slice(0, at), jobId: member.slice(at + 1) };
    });
  }

  /** Whether the deployment budgets every subject of `scope` (BUDGETS), whatever admins set. */
  hasDefault(scope: BudgetScope): boolean {
    const fallback = this.defaultOf(scope);
    return fallback.tokens !== undefined || fallback.costUsd !== undefined;
  }

  private defaultOf(scope: BudgetScope): BudgetLimit {
    if (scope === 'tenant') return this.defaults.tenantDaily ?? {};
    if (scope === 'agent') return this.defaults.agentDaily ?? {};
    return {};
  }
}

/** A subject's member in the index of budgeted subjects: `tenant:acme`. */
export const budgetedSubject = (scope: BudgetScope, subject: string) => `${scope}:${subject}`;

/** Whether a standing leaves nothing to spend: spent reached a limit (tokens first). */
export function exhaustedLimitOf(standing: BudgetStanding): 'tokens' | 'costUsd' | null {
  const { limit, spent } = standing;
  if (limit.tokens !== null && spent.tokens >= limit.tokens) return 'tokens';
  if (limit.costUsd !== null && spent.costUsd >= limit.costUsd) return 'costUsd';
  return null;
}

/**
 * For people: `tenant acme today 10000/10000 tokens`, `workflow 0.0213/0.02 USD`.
 */
export function describeStanding(standing: BudgetStanding, limit: 'tokens' | 'costUsd'): string {
  const who = standing.scope === 'workflow' ? 'workflow' : `${standing.scope} ${standing.subject} today`;
  return limit === 'tokens'
    ? `${who} ${standing.spent.tokens}/${standing.limit.tokens} tokens`
    : `${who} ${usd(standing.spent.costUsd)}/${usd(standing.limit.costUsd!)} USD`;
}

/** Dollars to the micro-dollar, without trailing zeros: 0.0213, 0.000001, 12.5. */
const usd = (value: number) => String(Number(value.toFixed(6)));

/** The UTC day of a moment, YYYY-MM-DD: the period of a tenant's and an agent's budget. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

const periodOf = (scope: BudgetScope, now: Date) => (scope === 'workflow' ? 'all' : utcDay(now));

const numberOrNull = (value: string) => (value === '' || value === undefined ? null : Number(value));
