import { randomUUID } from 'node:crypto';
import { StepLimit } from '@app/contracts';
import { StepSubject, describeLimit, limitKeyOf } from './limit-key';
import { LimitOverrides, withOverrides } from './limit-overrides';
import { StepLimiter, leaseMsOf } from './step-limiter';
import { Admission, AdmissionStep, StepAdmissionCheck } from './step-admission';

/**
 * How long at most a step refused a concurrency slot waits before asking again: a slot usually
 * comes back when its holder finishes, well before the earliest lease would run out.
 */
const SLOT_RECHECK_MS = 500;

/** A limit to ask for one step: its budget's name in Redis and its key value. */
interface BoundLimit {
  owner: string;
  limit: StepLimit;
  value: string;
}

/** A slot a finished step gave back, open until the end of the tick to a step that asks for the same. */
interface GivenBack {
  bound: BoundLimit;
  token: string;
  settled: { resolve: () => void; reject: (error: unknown) => void };
}

/** Where the check says what a person should know (a key field missing, a lease lost). */
export interface LimitCheckLogger {
  warn(message: string, detail: { workflowId: string; stepId: string; agent: string }): void;
}

/**
 * The keyed limits as an admission check: the agent's (its descriptor's `limits`) and the
 * workflow type's (its definition's), with the deployment's overrides. Concurrency slots are
 * taken first and released if a later limit refuses, so a refused step holds nothing; rates
 * come last. A slot's lease is renewed every third of its length while the step runs.
 *
 * A slot given back is released in Redis at the end of the tick, unless a step of this process
 * asks for the same slot first (typically the successor its step claimed): that step takes over
 * the lease, and neither call goes to Redis. The count in Redis is the same either way; a step
 * in a chain then costs its concurrency limit nothing.
 */
export class LimitAdmissionCheck implements StepAdmissionCheck {
  readonly name = 'limits';
  /** The agents' limits after overrides, by agent name; computed once per agent. */
  private readonly agentLimits = new Map<string, StepLimit[]>();
  /** Slots given back this tick, by budget and key value, not yet released in Redis. */
  private readonly givenBack = new Map<string, GivenBack[]>();
  private isReleaseScheduled = false;

  constructor(
    private readonly limiter: StepLimiter,
    private readonly overrides: LimitOverrides,
    private readonly logger: LimitCheckLogger,
  ) {}

  appliesTo(step: AdmissionStep): boolean {
    return step.hasWorkflowLimits || this.limitsOfAgent(step).length > 0;
  }

  async admit(step: AdmissionStep): Promise<Admission> {
    const limits = await this.bind(step);
    const token = randomUUID();
    const held: { bound: BoundLimit; token: string }[] = [];
    const release = () => Promise.all(held.map((slot) => this.giveBack(slot.bound, slot.token)));
    // Slots first, rates last: a refused step then holds nothing and has spent no rate.
    const asks = [
      ...limits
        .filter((bound) => bound.limit.concurrency)
        .map((bound) => ({ bound, kind: 'concurrency' as const })),
      ...limits.filter((bound) => bound.limit.rate).map((bound) => ({ bound, kind: 'rate' as const })),
    ];
    for (const { bound, kind } of asks) {
      const handedOver = kind === 'concurrency' ? this.takeOver(bound) : undefined;
      if (handedOver) {
        held.push({ bound, token: handedOver });
        continue;
      }
      const answer =
        kind === 'concurrency'
          ? await this.limiter.takeSlot(budgetOf(bound), bound.value, bound.limit.concurrency!, token)
          : await this.limiter.takeRate(budgetOf(bound), bound.value, bound.limit.rate!);
      if (!answer.isAllowed) {
        await release();
        const waitMs =
          kind === 'concurrency' ? Math.min(answer.retryInMs, SLOT_RECHECK_MS) : answer.retryInMs;
        return {
          admitted: false,
          // A little spread, so steps refused together do not all ask again in the same millisecond.
          retryInMs: Math.ceil(waitMs * (1 + Math.random() * 0.2)),
          reason: `${kind} limit ${bound.value || 'all steps'}: ${describeLimit(bound.limit, kind)} (${bound.owner}/${bound.limit.name})`,
          kind,
        };
      }
      if (kind === 'concurrency') held.push({ bound, token });
    }
    if (held.length === 0) return { admitted: true, release: async () => {} };
    const renewal = this.renewWhileRunning(step, held);
    return {
      admitted: true,
      release: async () => {
        clearInterval(renewal);
        await release();
      },
    };
  }

  private limitsOfAgent(step: AdmissionStep): StepLimit[] {
    let limits = this.agentLimits.get(step.agent);
    if (!limits) {
      limits = withOverrides(`agent:${step.agent}`, step.agentLimits, this.overrides);
      this.agentLimits.set(step.agent, limits);
    }
    return limits;
  }

  /** The step's limits with their key values; reads the workflow only when a key or its limits need it. */
  private async bind(step: AdmissionStep): Promise<BoundLimit[]> {
    const agentLimits = this.limitsOfAgent(step);
    const needsDetails =
      step.hasWorkflowLimits ||
      agentLimits.some((limit) => limit.key.some((f) => f !== 'agent' && f !== 'tenant'));
    const details = needsDetails ? await step.details() : null;
    const subject: StepSubject = details?.subject ?? {
      agent: step.agent,
      tenant: step.tenantId,
      workflowType: '',
      input: {},
      preferences: {},
    };
    const owned = [
      ...agentLimits.map((limit) => ({ owner: `agent:${step.agent}`, limit })),
      ...(details
        ? withOverrides(`workflow:${subject.workflowType}`, details.workflowLimits, this.overrides).map(
            (limit) => ({
              owner: `workflow:${subject.workflowType}`,
              limit,
            }),
          )
        : []),
    ];
    return owned.map(({ owner, limit }) => {
      const { value, missing } = limitKeyOf(limit, subject);
      if (missing.length > 0)
        this.logger.warn(
          `limit ${owner}/${limit.name}: the step has no ${missing.join(', ')}; it shares the budget of every step without (${value})`,
          { workflowId: step.workflowId, stepId: step.stepId, agent: step.agent },
        );
      return { owner, limit, value };
    });
  }

  /** Gives a slot back: to a step of this process asking for it this tick, else to Redis. */
  private giveBack(bound: BoundLimit, token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const key = slotOf(bound);
      const waiting = this.givenBack.get(key) ?? [];
      waiting.push({ bound, token, settled: { resolve, reject } });
      this.givenBack.set(key, waiting);
      if (this.isReleaseScheduled) return;
      this.isReleaseScheduled = true;
      setImmediate(() => this.releaseGivenBack());
    });
  }

  /** The token of a slot given back this tick for the same budget and key value, now the caller's. */
  private takeOver(bound: BoundLimit): string | undefined {
    const key = slotOf(bound);
    const waiting = this.givenBack.get(key);
    const slot = waiting?.shift();
    if (waiting?.length === 0) this.givenBack.delete(key);
    slot?.settled.resolve();
    return slot?.token;
  }

  private releaseGivenBack(): void {
    this.isReleaseScheduled = false;
    const slots = [...this.givenBack.values()].flat();
    this.givenBack.clear();
    for (const { bound, token, settled } of slots)
      this.limiter.releaseSlot(budgetOf(bound), bound.value, token).then(settled.resolve, settled.reject);
  }

  private renewWhileRunning(
    step: AdmissionStep,
    held: { bound: BoundLimit; token: string }[],
  ): NodeJS.Timeout {
    const everyMs = Math.max(
      100,
      Math.min(...held.map(({ bound }) => leaseMsOf(bound.limit.concurrency!))) / 3,
    );
    const timer = setInterval(() => {
      for (const { bound, token } of held)
        this.limiter
          .renewSlot(budgetOf(bound), bound.value, bound.limit.concurrency!, token)
          .then((isRenewed) => {
            if (!isRenewed)
              this.logger.warn(
                `limit ${bound.owner}/${bound.limit.name}: the step's slot lease ran out before it finished; it runs on over the limit`,
                { workflowId: step.workflowId, stepId: step.stepId, agent: step.agent },
              );
          })
          .catch(() => {}); // Redis away: the next renewal tries again, the lease covers the gap.
    }, everyMs);
    timer.unref();
    return timer;
  }
}

/** A limit's budget name in Redis: its owner and name, so two owners' limits of one name never share. */
const budgetOf = (bound: BoundLimit) => `${bound.owner}/${bound.limit.name}`;

/** One slot pool: a budget and a key value. */
const slotOf = (bound: BoundLimit) => `${budgetOf(bound)}\u0000${bound.value}`;
