import { RedisClient } from '@app/redis';
import { BudgetScope } from './budget-settings';
import { BudgetStore, budgetedSubject } from './budget-store';

/**
 * How often a worker asks whether the budgeted subjects changed, beside the announcement of each
 * change (pub/sub drops what is published while a subscriber reconnects): one small call per period.
 */
export const BUDGETED_SUBJECTS_REFRESH_MS = 5_000;

/**
 * Which tenants, agents and workflows have a budget of their own, held in memory and refreshed
 * from the index BudgetStore.set keeps: read again when a change is announced on its channel,
 * and polled (`budget_subjects` answers with the version alone while nothing changed). The budget
 * check asks it so that a step nobody budgeted begins with no Redis call; without it every step
 * paid three budget reads, a third of the engine's throughput.
 *
 * A budget an admin sets on a subject that had none applies to steps that begin once the
 * announcement arrived (a round trip after the admin's call returns); a workflow started with a
 * budget carries it in its steps' jobs, so its steps are checked from the first. Until the first
 * read answers (or while Redis is away), every subject counts as budgeted: a failure costs
 * reads, never an unchecked budget.
 */
export class BudgetedSubjects {
  private version = '';
  private known: ReadonlySet<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshAgain: Promise<void> | null = null;

  constructor(
    private readonly budgets: BudgetStore,
    private readonly options: {
      /** A connection of its own, put in subscriber mode, to hear changes as they happen. */
      subscriber?: RedisClient;
      refreshMs?: number;
      onError?: (error: unknown) => void;
    } = {},
  ) {}

  has(scope: BudgetScope, subject: string): boolean {
    return this.known === null || this.known.has(budgetedSubject(scope, subject));
  }

  /** Reads the index now, then keeps it fresh until {@link close}. */
  async start(): Promise<void> {
    const { subscriber } = this.options;
    if (subscriber) {
      subscriber.on('message', () => void this.refresh());
      // ioredis subscribes again on its own after a reconnect; what was announced meanwhile is read now.
      subscriber.on('ready', () => void this.refresh());
      await subscriber.subscribe(this.budgets.changesChannel);
    }
    await this.refresh();
    this.timer ??= setInterval(
      () => void this.refresh(),
      this.options.refreshMs ?? BUDGETED_SUBJECTS_REFRESH_MS,
    );
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const { subscriber } = this.options;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  /**
   * Reads the index if it changed; a failure leaves every subject budgeted until the next read.
   * A read asked for while one is under way follows it: a change announced meanwhile is not missed.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain ??= this.refreshing.then(() => {
        this.refreshAgain = null;
        return this.refresh();
      });
      return this.refreshAgain;
    }
    this.refreshing = this.budgets
      .subjects(this.version)
      .then((changed) => {
        if (!changed) return;
        this.version = changed.version;
        this.known = new Set(changed.subjects);
      })
      .catch((error: unknown) => {
        this.version = '';
        this.known = null;
        this.options.onError?.(error);
      })
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }
}
