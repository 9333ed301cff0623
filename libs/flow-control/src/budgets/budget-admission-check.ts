import { Admission, AdmissionStep, StepAdmissionCheck } from '../step-admission';
import { BudgetScope } from './budget-settings';
import { BudgetStore, describeStanding, exhaustedLimitOf } from './budget-store';

/**
 * How long a step refused for a budget waits before it asks again on its own. Long, because
 * spending stops while it waits: only an admin (who wakes the waiting jobs when raising a
 * budget), a new UTC day or a cancel changes the answer.
 */
export const BUDGET_RECHECK_MS = 45_000;

/** How a budget refusal's job id is named, to wake it later: the step queue's job id of that attempt. */
export type StepJobIdOf = (workflowId: string, stepId: string, attempt: number) => string;

/**
 * Budgets as an admission check: a step whose workflow, tenant (today, UTC) or agent (today) has
 * spent its token or cost budget does not begin. It waits in its queue, its `waitingFor` saying
 * `budget exhausted: tenant acme today 10000/10000 tokens`, and is remembered in the budget's
 * waiting set so that raising the budget wakes it at once; otherwise it asks again after
 * {@link BUDGET_RECHECK_MS}. Spend is counted per model call (see BudgetStore.spend), so a call
 * running when the budget runs out finishes and is counted in full; the next step waits. No
 * estimate of a step's cost is made: a step's calls are not known before it runs.
 *
 * It applies to every step: any tenant or agent may be given a budget by an admin at any moment,
 * and any workflow may carry one; the three reads go to Redis in one round trip.
 */
export class BudgetAdmissionCheck implements StepAdmissionCheck {
  readonly name = 'budgets';

  constructor(
    private readonly budgets: BudgetStore,
    private readonly jobIdOf: StepJobIdOf,
  ) {}

  appliesTo(): boolean {
    return true;
  }

  async admit(step: AdmissionStep): Promise<Admission> {
    const subjects: [BudgetScope, string][] = [
      ['workflow', step.workflowId],
      ['tenant', step.tenantId],
      ['agent', step.agent],
    ];
    const standings = await Promise.all(
      subjects.map(([scope, subject]) => this.budgets.read(scope, subject)),
    );
    const exhausted = standings.flatMap((standing) => {
      const limit = exhaustedLimitOf(standing);
      return limit ? [{ standing, limit }] : [];
    });
    if (exhausted.length === 0) return { admitted: true, release: async () => {} };
    // Woken by a raise of any budget it waits for; the gate asks all again then.
    if (step.attempt !== undefined) {
      const jobId = this.jobIdOf(step.workflowId, step.stepId, step.attempt);
      await Promise.all(
        exhausted.map(({ standing }) =>
          this.budgets.wait(standing.scope, standing.subject, step.queue, jobId),
        ),
      );
    }
    return {
      admitted: false,
      retryInMs: Math.ceil(BUDGET_RECHECK_MS * (1 + Math.random() * 0.2)),
      reason: `budget exhausted: ${exhausted.map(({ standing, limit }) => describeStanding(standing, limit)).join('; ')}`,
      kind: 'budget',
      holdsWorkflow: true,
    };
  }
}
