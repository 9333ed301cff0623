import { ExecuteStepJob, LogLevel, StepJobFlow } from '@app/contracts';
import { Admission, AdmissionStep, FairShare, StepAdmissionGate, StepSubject } from '@app/flow-control';
import {
  StepDispatch,
  StepExecution,
  StepOrigin,
  StepQueues,
  WorkflowStore,
  stepOriginOf,
} from '@app/workflow-store';
import { Counter, Registry, register } from 'prom-client';
import { Agent } from '../agent';
import { WorkerLogger } from './worker-logger';

/** What a step's job brings to the gate: its data and the queue it came from. */
export interface AdmissionJob {
  data: ExecuteStepJob;
  queueName: string;
}

/**
 * Where a worker's steps meet flow control: the admission gate before a step begins, whether it
 * came as a queue job or was claimed by a finishing step (eager dispatch), its refusals marked on
 * the step, logged and counted; and the fair-share count of a job taken off its queue.
 */
export class StepAdmissions {
  private readonly delayed: Counter<string>;

  constructor(
    private readonly parts: {
      gate: StepAdmissionGate;
      fairShare: FairShare;
      store: WorkflowStore;
      /** Where a refused claimed successor's job goes. */
      queues: StepQueues;
      /** The agents the worker serves, by queue. */
      agents: ReadonlyMap<string, Agent>;
      logger: WorkerLogger;
      metricsRegistry?: Registry;
    },
  ) {
    const registry = parts.metricsRegistry ?? register;
    this.delayed =
      (registry.getSingleMetric('flow_control_steps_delayed_total') as Counter<string> | undefined) ??
      new Counter({
        name: 'flow_control_steps_delayed_total',
        help: 'Steps sent back to their queue, delayed, because flow control would not let them begin yet',
        labelNames: ['agent', 'kind'],
        registers: [registry],
      });
  }

  /**
   * Asks the gate whether a job's step may begin. A refusal says so on the READY step
   * (`waitingFor`, an agent_status event: once per reason), in a log line and a metric; the
   * caller puts the job back, delayed. An admitted job is counted off its tenant's queue.
   */
  async admit(job: AdmissionJob): Promise<Admission> {
    const step = await this.stepOf(job);
    const admission = this.parts.gate.appliesTo(step)
      ? await this.parts.gate.admit(step)
      : { admitted: true as const, release: async () => {} };
    if (!admission.admitted) {
      await this.markWaiting(job.data, step, admission);
      return admission;
    }
    if (job.data.flow) {
      // A count for later steps' places, not a decision about this one: it need not hold the step
      // back (a round trip less per step); a lost count heals with the tenant's idle TTL.
      this.parts.fairShare
        .taken(job.queueName, job.data.flow)
        .catch((error: unknown) => this.parts.logger.warn(`fair-share count not lowered: ${String(error)}`));
    }
    let isReleased = false;
    return {
      admitted: true,
      release: async () => {
        if (isReleased) return;
        isReleased = true;
        await admission.release();
      },
    };
  }

  /**
   * Asks the gate whether a ready step a finishing step forks (runs beside its chain, in the same
   * job, never queued) may begin. Refused, it waits as a refused job does: marked, logged, and
   * queued delayed by what the limiter computed. Never queued, it was never counted for fair share.
   */
  async admitForked(job: ExecuteStepJob, dispatch: StepDispatch, origin: StepOrigin): Promise<Admission> {
    const step = await this.stepOf({ data: job, queueName: dispatch.queue });
    if (!this.parts.gate.appliesTo(step)) return { admitted: true, release: async () => {} };
    const admission = await this.parts.gate.admit(step);
    if (admission.admitted) return admission;
    await this.markWaiting(job, step, admission);
    await this.parts.queues.add(job.workflowId, [dispatch], { delayMs: admission.retryInMs }, origin);
    return admission;
  }

  /**
   * Asks the gate about the successor a finishing step is about to claim (see
   * WorkflowStore.likelyClaim), while its completion is on its way to Redis: the two travel
   * together instead of one after the other. Null when no check applies (nothing was asked). The
   * answer goes to {@link admitClaimed} if the claim happens, else to {@link discard}.
   */
  async askAhead(job: ExecuteStepJob, queue: string): Promise<Admission | null> {
    const step = await this.stepOf({ data: job, queueName: queue });
    return this.parts.gate.appliesTo(step) ? this.parts.gate.admit(step) : null;
  }

  /**
   * Gives back what an answer asked ahead took for a successor that was not claimed after all. (A
   * rate's request stays spent, which errs on the provider's side.)
   */
  discard(asked: Promise<Admission | null>): void {
    asked
      .then((admission) => (admission?.admitted ? admission.release() : undefined))
      .catch((error: unknown) =>
        this.parts.logger.warn(`could not give back a successor's admission: ${String(error)}`),
      );
  }

  /**
   * Asks the gate whether a successor this worker claimed (eager dispatch: already begun in the
   * store) may run now, or takes the answer asked ahead of the claim. Refused, it is handed back
   * to READY, waiting for the reason, and its first attempt is queued delayed by what the limiter
   * computed, as a refused job would be.
   */
  async admitClaimed(
    job: ExecuteStepJob,
    claimed: StepExecution,
    askedAhead?: Promise<Admission | null>,
  ): Promise<{ admitted: true; release(): Promise<void> } | { admitted: false }> {
    const step = await this.stepOf({ data: job, queueName: claimed.queue });
    const admission = askedAhead
      ? await askedAhead
      : this.parts.gate.appliesTo(step)
        ? await this.parts.gate.admit(step)
        : null;
    if (admission === null) return { admitted: true, release: async () => {} };
    if (admission.admitted) return admission;
    this.refused(job, step, admission);
    if (
      await this.parts.store.returnClaim(job.workflowId, job.stepId, claimed.runToken, admission.reason, {
        holdsWorkflow: admission.holdsWorkflow,
      })
    ) {
      await this.logOnWorkflow(job, step, admission);
      const { meta } = claimed;
      await this.parts.queues.add(
        job.workflowId,
        [
          {
            stepId: job.stepId,
            attempt: 1,
            queue: claimed.queue,
            ...(step.hasWorkflowLimits ? { hasWorkflowLimits: true } : {}),
          },
        ],
        { delayMs: admission.retryInMs },
        stepOriginOf(meta),
      );
    }
    return { admitted: false };
  }

  /**
   * What a refusal of an unbegun step does: its log line and metric, the READY step marked waiting
   * for the reason (once per reason), and a line of the workflow's log when only a person ends it.
   */
  private async markWaiting(
    job: ExecuteStepJob,
    step: AdmissionStep,
    refusal: Extract<Admission, { admitted: false }>,
  ): Promise<void> {
    this.refused(job, step, refusal);
    const marked = await this.parts.store.markWaiting(job.workflowId, [job.stepId], refusal.reason, {
      holdsWorkflow: refusal.holdsWorkflow,
    });
    if (marked > 0) await this.logOnWorkflow(job, step, refusal);
  }

  /** A refusal's log line and metric. */
  private refused(
    job: ExecuteStepJob,
    step: AdmissionStep,
    refusal: Extract<Admission, { admitted: false }>,
  ): void {
    this.delayed.inc({ agent: step.agent, kind: refusal.kind });
    this.parts.logger.log(
      `step ${job.stepId} of workflow ${job.workflowId} waits ${refusal.retryInMs} ms: ${refusal.reason}`,
    );
  }

  /** A wait only a person ends (a budget) is a line of the workflow's log too, with a live `log` event. */
  private async logOnWorkflow(
    job: ExecuteStepJob,
    step: AdmissionStep,
    refusal: Extract<Admission, { admitted: false }>,
  ): Promise<void> {
    if (!refusal.holdsWorkflow) return;
    await this.parts.store
      .appendLog({
        workflowId: job.workflowId,
        level: LogLevel.Warning,
        message: `step ${job.stepId} waits: ${refusal.reason}`,
        stepId: job.stepId,
        agent: step.agent,
        metadata: { kind: refusal.kind, retryInMs: refusal.retryInMs },
      })
      .catch((error: unknown) =>
        this.parts.logger.warn(`could not add a log event to workflow ${job.workflowId}: ${String(error)}`),
      );
  }

  private async stepOf(job: AdmissionJob): Promise<AdmissionStep> {
    const { workflowId, stepId, flow } = job.data;
    const agent = this.parts.agents.get(job.queueName);
    let details: Promise<Awaited<ReturnType<AdmissionStep['details']>>> | undefined;
    const readDetails = () =>
      (details ??= this.parts.store.metaAndGraph(workflowId).then((found) => {
        if (!found) return null;
        const { meta, graph } = found;
        const subject: StepSubject = {
          agent: agent?.descriptor.name ?? '',
          tenant: meta.tenantId,
          workflowType: meta.type,
          input: meta.input,
          preferences: meta.preferences,
        };
        return { subject, workflowLimits: graph.limits ?? [] };
      }));
    // A job queued without its flow (by an older version): what it lacks is read from the workflow,
    // and its workflow's budget is read in case it has one.
    const known: Pick<StepJobFlow, 'tenantId' | 'hasBudget'> & { hasWorkflowLimits: boolean } = flow
      ? {
          tenantId: flow.tenantId,
          hasWorkflowLimits: flow.hasWorkflowLimits ?? false,
          hasBudget: flow.hasBudget,
        }
      : await readDetails().then((found) => ({
          tenantId: found?.subject.tenant ?? '',
          hasWorkflowLimits: (found?.workflowLimits.length ?? 0) > 0,
          hasBudget: true,
        }));
    return {
      workflowId,
      stepId,
      attempt: job.data.attempt,
      queue: job.queueName,
      agent: agent?.descriptor.name ?? '',
      tenantId: known.tenantId,
      hasWorkflowLimits: known.hasWorkflowLimits,
      hasBudget: known.hasBudget ?? false,
      agentLimits: agent?.descriptor.limits ?? [],
      details: readDetails,
    };
  }
}
