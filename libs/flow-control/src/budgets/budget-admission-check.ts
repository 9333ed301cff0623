import { Admission, AdmissionStep, StepAdmissionCheck } from '../step-admission';
import { BudgetScope } from './budget-settings';
import { BudgetStore, describeStanding, exhaustedLimitOf } from './budget-store';
import { BudgetedSubjects } from './budgeted-subjects';

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
 * It reads only the budgets that exist: a deployment default (BUDGETS) budgets every tenant or
 * agent; otherwise {@link BudgetedSubjects} knows which subjects an admin budgeted, and a step's
 * job says whether its workflow was started with a budget. A step with none begins unasked.
 */
export class BudgetAdmissionCheck implements StepAdmissionCheck {
  readonly name = 'budgets';

  constructor(
    private readonly budgets: BudgetStore,
    private readonly budgeted: BudgetedSubjects,
    private readonly jobIdOf: StepJobIdOf,
  ) {}

  appliesTo(step: AdmissionStep): boolean {
    return this.subjectsOf(step).length > 0;
  }

  async admit(step: AdmissionStep): Promise<Admission> {
    const standings = await Promise.all(
      this.subjectsOf(step).map(([scope, subject]) => this.budgets.read(scope, subject)),
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

  /** The budgets that may hold this step back: those its workflow, tenant and agent have. */
  private subjectsOf(step: AdmissionStep): [BudgetScope, string][] {
    const subjects: [BudgetScope, string][] = [];
    if (step.hasBudget || this.budgeted.has('workflow', step.workflowId))
      subjects.push(['workflow', step.workflowId]);
    if (this.budgets.hasDefault('tenant') || this.budgeted.has('tenant', step.tenantId))
      subjects.push(['tenant', step.tenantId]);
    if (this.budgets.hasDefault('agent') || this.budgeted.has('agent', step.agent))
      subjects.push(['agent', step.agent]);
    return subjects;
  }
}
