import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { BUDGET_SCOPE_PATHS, BudgetScope, BudgetStatus, SetBudgetRequest } from '@app/contracts';
import { BudgetStore, exhaustedLimitOf } from '@app/flow-control';
import { StepQueues, WorkflowStore } from '@app/workflow-store';

/**
 * Budgets as admins see and set them, in Redis where the workers read them. Raising one wakes the
 * steps waiting for it: their delayed jobs are promoted, so they ask the gate again at once rather
 * than at the end of their long wait.
 */
@Injectable()
export class BudgetsService {
  private readonly logger = new Logger(BudgetsService.name);

  constructor(
    private readonly budgets: BudgetStore,
    private readonly store: WorkflowStore,
    private readonly queues: StepQueues,
  ) {}

  async get(scopePath: string, subject: string): Promise<BudgetStatus> {
    return this.statusOf(await this.scopeOf(scopePath, subject), subject);
  }

  /**
   * Replaces the budget, then wakes the steps that waited for it (whether it was raised or not: each
   * asks again). The status is the one the change was made against, read before the wake: read
   * after it, it could count a woken step's calls already.
   */
  async set(scopePath: string, subject: string, request: SetBudgetRequest): Promise<BudgetStatus> {
    const scope = await this.scopeOf(scopePath, subject);
    await this.budgets.set(scope, subject, { tokens: request.tokens, costUsd: request.costUsd });
    const status = await this.statusOf(scope, subject);
    return { ...status, wokenSteps: await this.wake(scope, subject) };
  }

  private async scopeOf(scopePath: string, subject: string): Promise<BudgetScope> {
    const scope = BUDGET_SCOPE_PATHS[scopePath];
    if (!scope) throw new NotFoundException(`no budgets of ${scopePath}: use workflows, tenants or agents`);
    if (scope === 'workflow' && !(await this.store.metaAndGraph(subject)))
      throw new NotFoundException(`workflow ${subject} does not exist (or has finished and left Redis)`);
    return scope;
  }

  private async statusOf(scope: BudgetScope, subject: string): Promise<BudgetStatus> {
    const standing = await this.budgets.read(scope, subject);
    return {
      scope,
      subject,
      period: standing.period,
      limit: standing.limit,
      spent: standing.spent,
      isExhausted: exhaustedLimitOf(standing) !== null,
    };
  }

  /** Promotes the delayed jobs of the steps waiting for this budget; a job gone or already running is skipped. */
  private async wake(scope: BudgetScope, subject: string): Promise<number> {
    const waiting = await this.budgets.takeWaiting(scope, subject);
    const woken = await Promise.all(
      waiting.map(async ({ queue, jobId }) => {
        const job = await this.queues.job(queue, jobId);
        if (!job || !(await job.isDelayed())) return false;
        // It may have been taken meanwhile: then it is asking the gate already.
        return job.promote().then(
          () => true,
          () => false,
        );
      }),
    );
    const count = woken.filter(Boolean).length;
    if (count > 0) this.logger.log(`budget of ${scope} ${subject} changed: woke ${count} waiting step(s)`);
    return count;
  }
}
