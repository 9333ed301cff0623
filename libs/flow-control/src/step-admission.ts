import { StepLimit } from '@app/contracts';
import { StepSubject } from './limit-key';
import { jitteredDelayMs } from './wake-up-jitter';

/** A step about to begin, as the admission checks see it. */
export interface AdmissionStep {
  workflowId: string;
  stepId: string;
  /** The attempt its job runs, when known: with the queue, names the job (to wake it, say). */
  attempt?: number;
  /** The agent's queue and name. */
  queue: string;
  agent: string;
  tenantId: string;
  /** Whether the step's workflow type declares limits of its own (its compiled graph has some). */
  hasWorkflowLimits: boolean;
  /** Whether the step's workflow was started with a budget of its own (its job says so). */
  hasBudget?: boolean;
  /** The agent's declared limits (its descriptor's), before a deployment's overrides. */
  agentLimits: readonly StepLimit[];
  /**
   * The rest of what a key may read (workflow type, input, preferences) and the workflow's
   * limits, read from the store on first use and then held: a check that needs none costs no read.
   */
  details(): Promise<{ subject: StepSubject; workflowLimits: readonly StepLimit[] } | null>;
}

/** A check's answer: begin (and call `release` when the step has finished), or wait. */
export type Admission =
  | { admitted: true; release(): Promise<void> }
  | {
      admitted: false;
      /** When to ask again, in ms from now. */
      retryInMs: number;
      /** For people: the step's `waitingFor`, e.g. `rate limit agent=content tenant=acme: 2/s`. */
      reason: string;
      /** For metrics: a small fixed set (`rate`, `concurrency`, `breaker`, `budget`...). */
      kind: string;
      /**
       * A wait only a person ends (a spent budget), not a short one flow control resolves by
       * itself: the workflow is WAITING while it lasts, and its event log says why (a `log` event,
       * once per reason).
       */
      holdsWorkflow?: boolean;
    };

/**
 * One thing that may hold a step back before it begins: the keyed limits
 * ({@link LimitAdmissionCheck}), a dependency's breaker, a budget. The worker asks every check
 * that `appliesTo` a step, in order, before the step begins (and before it claims a successor
 * for eager dispatch, see StepRunner). Add a check by adding an entry to the gate's list.
 *
 * - `appliesTo` must answer from memory: a step no check applies to begins with no Redis call.
 *   A successor claimed by the finishing worker (eager dispatch) is asked about like a queued
 *   step (StepAdmissions.admitClaimed); refused, it is handed back to its queue, delayed. The
 *   budget check applies only to steps whose workflow, tenant or agent has a budget (it holds the
 *   budgeted subjects in memory, see BudgetedSubjects), so a step with no limit, breaker or budget
 *   costs no gate call.
 * - `admit` answers `admitted: false` with when to ask again: the step's job goes back to its
 *   queue delayed by that long, its attempt unspent, and its READY state says `reason`. A check
 *   must not throw for a step it refuses; an error thrown is an infrastructure fault (Redis
 *   away), and the job fails over to BullMQ's own retries.
 * - An admitted step holds what it took (a slot, say) until `release`, which the gate calls when
 *   the step has finished, however it finished; a holder that dies leaves it to its lease.
 */
export interface StepAdmissionCheck {
  readonly name: string;
  appliesTo(step: AdmissionStep): boolean;
  admit(step: AdmissionStep): Promise<Admission>;
}

/**
 * The gate a step passes before it begins: every check that applies, in list order, all or
 * nothing. When one refuses, what the earlier ones took is released and its refusal is the
 * answer (the later checks are not asked). A rate check that admitted before a later check refused
 * has spent its token: steps refused that way cost a rate one request they did not make, which
 * errs on the provider's side. Put rates after the checks that hold slots. A refusal's delay is
 * spread by a small random jitter ({@link jitteredDelayMs}) unless only a person ends the wait.
 */
export class StepAdmissionGate {
  constructor(
    private readonly checks: readonly StepAdmissionCheck[],
    private readonly options: { random?: () => number } = {},
  ) {}

  appliesTo(step: AdmissionStep): boolean {
    return this.checks.some((check) => check.appliesTo(step));
  }

  async admit(step: AdmissionStep): Promise<Admission> {
    const held: Extract<Admission, { admitted: true }>[] = [];
    for (const check of this.checks) {
      if (!check.appliesTo(step)) continue;
      let answer: Admission;
      try {
        answer = await check.admit(step);
      } catch (error) {
        await releaseAll(held);
        throw error;
      }
      if (answer.admitted) {
        held.push(answer);
        continue;
      }
      await releaseAll(held);
      // A wait only a person ends is woken by them (and its check spreads its own re-checks).
      return answer.holdsWorkflow
        ? answer
        : { ...answer, retryInMs: jitteredDelayMs(answer.retryInMs, this.options.random) };
    }
    return { admitted: true, release: () => releaseAll(held) };
  }
}

async function releaseAll(held: Extract<Admission, { admitted: true }>[]): Promise<void> {
  await Promise.all(held.map((admission) => admission.release()));
}
