import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Span } from '@opentelemetry/api';
import { ExecuteStepJob, LogLevel } from '@app/contracts';
import type { Admission } from '@app/flow-control';
import {
  CompleteStepResult,
  FanOutSpec,
  StepDispatch,
  StepExecution,
  StepQueues,
  WorkflowMeta,
  WorkflowStore,
  fanOutItems,
  parseChildStepId,
  stepOriginOf,
} from '@app/workflow-store';
import { Agent, AgentContext } from '../agent';
import {
  CancelledError,
  ErrorKind,
  TimeoutError,
  ValidationError,
  describeError,
  errorKindOf,
} from '../agent-errors';
import { CpuPool } from '../cpu';
import { isRevisionRequested } from '../revision-requested';
import type { DependencyBreakers } from '../dependency-breakers';
import { defaultRetryConfig, isRetryableError, mergeRetryConfig, retryDelayMs } from '../retry-policy';
import { activeTraceIds, recordSpanError } from '../spans';
import { Cancellations } from './cancellations';
import { StepLlms } from './step-llms';
import { StepAdmissions } from './step-admissions';
import { StepRevisions } from './step-revisions';
import { inStepSpan } from './step-span';
import { TelemetryShipper } from './telemetry-shipper';
import { WorkerLogger } from './worker-logger';
import { StepBegunVia, WorkerMetrics } from './worker-metrics';
import { WorkflowHooks } from './workflow-hooks';

/** What a step runner is made of; the agent worker assembles it. */
export interface StepRunnerParts {
  store: WorkflowStore;
  /** The agents this worker serves, by the queue of their steps. */
  agents: ReadonlyMap<string, Agent>;
  queues: StepQueues;
  cancellations: Cancellations;
  telemetry: TelemetryShipper;
  hooks: WorkflowHooks;
  cpuPool: CpuPool;
  metrics: WorkerMetrics;
  /** Each step's `context.llm`, and the accounts of its calls. */
  llms: StepLlms;
  /** The dependencies' circuit breakers, handed to every agent as `context.breakers`. */
  breakers?: DependencyBreakers;
  logger: WorkerLogger;
  /** Attempts after the first for a retryable failure, unless the agent's policy says otherwise. */
  maxRetries: number;
  /** A step's time limit, unless its agent's descriptor sets one. */
  defaultTimeoutSeconds: number;
  /** Flow control's gate for the successors a finishing step claims (eager dispatch); none without it. */
  admissions?: StepAdmissions;
  /**
   * Steps it runs forked at most at once: the further ready steps a completion leaves that this
   * worker serves, run beside the claimed one in the same job instead of through their queues.
   * 0 (the default) queues them all.
   */
  forkLimit?: number;
}

/**
 * What a finishing step may claim for its worker (eager dispatch): the queue job it runs in,
 * whether the worker still takes work, and how to give back what flow control lent the step (a
 * slot) once its agent is done, before its successor asks for one.
 */
interface StepClaim {
  jobId: string;
  canContinue: () => boolean;
  releaseHeld: () => Promise<void>;
  /** Runs a ready step beside the chain, in the same job (see StepRunner.fork). */
  fork: (step: StepDispatch, meta: WorkflowMeta) => void;
}

/** A successor a completion claimed, with flow control's answer for it when asked ahead. */
interface ClaimedStep {
  execution: StepExecution;
  askedAhead?: Promise<Admission | null>;
}

/** A step's agent outcome, before the store decides what it means for the workflow. */
type AgentOutcome = { ok: true; output: unknown } | { ok: false; error: unknown };

/**
 * Runs steps: one per queue job, then the successors its completion claims for this worker
 * (eager dispatch), and hands the other steps made ready to their agents' queues. All state
 * lives in the {@link WorkflowStore}; this class holds none, so any worker serving an agent may
 * run its steps and a killed worker's step is simply run again.
 */
export class StepRunner {
  /** The queues of the agents it serves: a completion claims only a successor on one of them. */
  private readonly servedQueues: ReadonlySet<string>;
  /** What a check's RevisionRequested does (a quality loop). */
  private readonly revisions: StepRevisions;
  /** Steps running forked now (see fork), against `forkLimit`. */
  private forksRunning = 0;

  constructor(private readonly parts: StepRunnerParts) {
    this.servedQueues = new Set(parts.agents.keys());
    this.revisions = new StepRevisions(parts);
    // A failed workflow's last lines go to PostgreSQL at once, for whoever investigates it. (Not
    // on success: a flush per completed workflow would serialise the batches behind each other.)
    this.parts.hooks.on('workflow.failed', () => void this.parts.telemetry.flush());
  }

  /**
   * Runs the step of a queue job, then keeps going with the steps its completion claims for this
   * worker (eager dispatch) while `canContinue()` says the worker is still taking work. Returns
   * once the steps it forked have ended too: the job, and its lock, last as long as its steps.
   */
  async executeStep(
    job: ExecuteStepJob,
    jobId: string,
    canContinue: () => boolean,
    /** Gives back what flow control's gate lent the job's step (a slot), once that step has run. */
    releaseAdmission: () => Promise<void> = async () => {},
  ): Promise<void> {
    return this.runWithForks(job, jobId, canContinue, releaseAdmission, 'queue');
  }

  /**
   * Runs a step and the successors its chain claims, and waits for the steps its completions forked:
   * the chain's error, else a fork's, is thrown once all have ended.
   */
  private async runWithForks(
    job: ExecuteStepJob,
    jobId: string,
    canContinue: () => boolean,
    releaseAdmission: () => Promise<void>,
    via: Exclude<StepBegunVia, 'claim'>,
  ): Promise<void> {
    const forks: Promise<void>[] = [];
    const fork: StepClaim['fork'] = (step, meta) =>
      forks.push(this.fork(job, step, meta, jobId, canContinue));
    const chain = await this.runChain(job, jobId, canContinue, releaseAdmission, fork, via).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    const ended = await Promise.allSettled(forks);
    if (chain) throw chain.error;
    const failed = ended.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** The job's step and the successors each completion claims, one after the other. */
  private async runChain(
    job: ExecuteStepJob,
    jobId: string,
    canContinue: () => boolean,
    releaseAdmission: () => Promise<void>,
    fork: StepClaim['fork'],
    via: Exclude<StepBegunVia, 'claim'>,
  ): Promise<void> {
    const { workflowId } = job;
    // Tracked before the step begins, so a cancel that lands meanwhile still reaches it.
    let tracked = this.parts.cancellations.track(workflowId);
    try {
      const begun = await this.parts.store.beginStep(workflowId, job.stepId, job.attempt, jobId);
      switch (begun.outcome) {
        case 'already-completed':
          // Delivered again after a crash between commit and hand-over: finish the hand-over.
          return await this.enqueue(workflowId, begun.readySteps);
        case 'inactive':
        case 'stale':
          return;
        case 'run':
          this.parts.metrics.stepsBegun.inc({ agent: begun.agent, via });
          if (begun.isFirstStep) await this.parts.hooks.emit('workflow.started', { workflowId });
          break;
      }
      let next: { job: ExecuteStepJob; execution: StepExecution } | null = { job, execution: begun };
      let release = once(releaseAdmission);
      while (next) {
        const claimed = await this.run(next.job, next.execution, tracked.controller, {
          jobId,
          canContinue,
          releaseHeld: release,
          fork,
        });
        const claimedJob = claimed && {
          workflowId,
          stepId: claimed.execution.stepId,
          attempt: 1,
          flow: job.flow,
        };
        // A claimed successor passes the same admission gate as a queued one (asked ahead of the
        // claim when it could be foreseen); refused, it goes to its queue. A step that did not
        // complete gives back what it held here.
        const [, admission] = await Promise.all([
          release(),
          claimed && claimedJob && this.parts.admissions
            ? this.parts.admissions.admitClaimed(claimedJob, claimed.execution, claimed.askedAhead)
            : { admitted: true as const, release: async () => {} },
        ]);
        // The chain's steps share one controller while nothing aborted it (a timeout does).
        if (tracked.controller.signal.aborted) {
          tracked.release();
          tracked = this.parts.cancellations.track(workflowId);
        }
        next = null;
        if (claimed && claimedJob && admission.admitted) {
          this.parts.metrics.stepsBegun.inc({ agent: claimed.execution.agent, via: 'claim' });
          next = { job: claimedJob, execution: claimed.execution };
          release = once(admission.release);
        }
      }
    } finally {
      tracked.release();
    }
  }

  /**
   * Runs one step in its span and records its outcome (the store calls too, so they show in the
   * trace); returns the successor it claimed, if any.
   */
  private run(
    job: ExecuteStepJob,
    execution: StepExecution,
    controller: AbortController,
    /** The queue job running it; asked on success whether the worker may claim a successor. */
    claim: StepClaim,
  ): Promise<ClaimedStep | null> {
    const { fanOut } = execution;
    if (fanOut) return inStepSpan(job, execution, () => this.fanOut(job, execution, fanOut, claim));
    return inStepSpan(job, execution, (span) => this.runInSpan(job, execution, controller, claim, span));
  }

  /**
   * A fan-out step runs no agent: its work items become sub-steps for the queue. With no items it
   * completes at once with an empty list; with an unusable list (not a list, too many items) it
   * fails as a validation error would, which no retry changes.
   */
  private async fanOut(
    job: ExecuteStepJob,
    execution: StepExecution,
    spec: FanOutSpec,
    claim: StepClaim,
  ): Promise<ClaimedStep | null> {
    const { workflowId, stepId } = job;
    const found = fanOutItems(stepId, spec, execution.dependencies);
    if ('problem' in found) {
      const error = describeError(new ValidationError(found.problem));
      const failed = await this.parts.store.failStep({
        workflowId,
        stepId,
        runToken: execution.runToken,
        error,
        durationMs: 0,
        retryDelayMs: null,
      });
      if (failed.outcome === 'failed') {
        this.log(workflowId, LogLevel.Error, `step ${stepId} failed: ${found.problem}`, {
          stepId,
          agent: execution.agent,
        });
        await this.parts.hooks.emit('workflow.failed', { workflowId, stepId, error });
      }
      return null;
    }
    if (found.items.length === 0)
      return this.completed(job, execution, [], { durationMs: 0, calls: 0, tokens: 0 }, claim);
    const result = await this.parts.store.fanOut({
      workflowId,
      graphId: execution.graphId,
      stepId,
      runToken: execution.runToken,
      items: found.items,
    });
    if (result.outcome === 'fanned-out') await this.enqueue(workflowId, result.readySteps, execution.meta);
    return null;
  }

  private async runInSpan(
    job: ExecuteStepJob,
    execution: StepExecution,
    controller: AbortController,
    claim: StepClaim,
    span: Span,
  ): Promise<ClaimedStep | null> {
    const { meta, agent: agentName, dependencies, runToken } = execution;
    const { workflowId, stepId, attempt } = job;
    const agent = this.parts.agents.get(execution.queue);
    const usage = { calls: 0, tokens: 0 };
    const timeoutMs =
      job.timeoutMs ?? (agent?.descriptor.timeoutSeconds ?? this.parts.defaultTimeoutSeconds) * 1000;
    const log = (level: LogLevel, message: string, metadata: Record<string, unknown> = {}) =>
      this.log(workflowId, level, message, { stepId, agent: agentName, metadata });
    const context: AgentContext = {
      workflowId,
      workflowType: meta.type,
      // A fan-out's sub-step (`<stepId>#<index>`) is, to its agent, its step with an item.
      stepId: parseChildStepId(stepId)?.stepId ?? stepId,
      ...(execution.item ? { item: execution.item } : {}),
      sessionId: meta.sessionId,
      tenantId: meta.tenantId,
      attempt,
      input: meta.input,
      preferences: meta.preferences,
      dependencies,
      ...(meta.replayOf ? { replayOf: meta.replayOf } : {}),
      ...(execution.feedback ? { feedback: execution.feedback } : {}),
      signal: controller.signal,
      deadline: new Date(Date.now() + timeoutMs),
      log,
      llm: this.parts.llms.forStep(
        {
          workflowId,
          workflowType: meta.type,
          tenantId: meta.tenantId,
          stepId,
          agent: agentName,
          signal: controller.signal,
          deadline: new Date(Date.now() + timeoutMs),
          log,
        },
        usage,
      ),
      recordLlmUsage: ({ promptTokens, completionTokens }) => {
        usage.calls += 1;
        usage.tokens += promptTokens + completionTokens;
      },
      runCpuTask: (task, input) => this.parts.cpuPool.run(task, input, { signal: controller.signal }),
      ...(this.parts.breakers ? { breakers: this.parts.breakers } : {}),
    };

    const startedAt = new Date();
    const startedAtMs = performance.now();
    const outcome: AgentOutcome = agent
      ? await this.invoke(agent, context, controller, timeoutMs)
      : {
          ok: false,
          error: new ValidationError(`this worker does not serve ${execution.queue}`),
        };
    const durationMs = performance.now() - startedAtMs;
    const errorKind = outcome.ok ? null : errorKindOf(outcome.error);
    if (!outcome.ok) recordSpanError(span, outcome.error, errorKind ?? undefined);
    this.parts.metrics.stepDuration.observe(
      { agent: agentName, outcome: errorKind ?? 'success' },
      durationMs / 1000,
    );
    void this.parts.hooks.emit('step.finished', {
      workflowId,
      stepId,
      agent: agentName,
      isSuccess: outcome.ok,
      durationMs,
    });
    this.parts.telemetry.execution({
      id: randomUUID(),
      workflowId,
      workflowType: meta.type,
      stepId,
      agent: agentName,
      attempt,
      outcome: outcome.ok ? 'success' : 'error',
      errorKind,
      durationMs: Math.round(durationMs),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ...activeTraceIds(),
    });

    // Its log line is written by the metrics service from the execution record shipped above.
    if (outcome.ok) return this.completed(job, execution, outcome.output, { durationMs, ...usage }, claim);

    const { error } = outcome;
    if (isRevisionRequested(error)) {
      await this.revisions.request({
        execution,
        workflowId,
        stepId,
        request: error,
        durationMs,
        log: (level, message, metadata, isLive) =>
          this.log(workflowId, level, message, { stepId, agent: agentName, metadata, isLive }),
      });
      return null;
    }
    const kind = errorKindOf(error);
    const policy = mergeRetryConfig(defaultRetryConfig(this.parts.maxRetries), agent?.descriptor.retry);
    const willRetry =
      kind !== ErrorKind.Cancelled && isRetryableError(error, attempt - execution.firstAttempt, policy);
    const delay = willRetry ? retryDelayMs(error, attempt - execution.firstAttempt + 1, policy) : null;
    const failed = await this.parts.store.failStep({
      workflowId,
      stepId,
      runToken,
      error: describeError(error),
      durationMs,
      retryDelayMs: delay,
    });
    if (failed.outcome === 'retry' && delay !== null) {
      this.parts.metrics.stepRetries.inc({ agent: agentName, kind });
      // The store already pushed the live retry event, atomically with the state change.
      this.log(
        workflowId,
        LogLevel.Warning,
        `attempt ${attempt} failed (${describeError(error)}); retrying in ${delay} ms`,
        {
          stepId,
          agent: agentName,
          metadata: { attempt, kind, delayMs: delay },
          isLive: false,
        },
      );
      await this.parts.queues.add(
        workflowId,
        [
          {
            stepId,
            attempt: attempt + 1,
            queue: execution.queue,
            ...(job.flow?.hasWorkflowLimits ? { hasWorkflowLimits: true } : {}),
          },
        ],
        {
          delayMs: delay,
          timeoutMs: kind === ErrorKind.Timeout ? timeoutMs * policy.timeoutMultiplier : job.timeoutMs,
        },
        stepOriginOf(meta),
      );
    } else if (failed.outcome === 'failed') {
      log(
        LogLevel.Error,
        `step ${stepId} failed for good after ${attempt} attempt(s): ${describeError(error)}`,
        { attempt, kind },
      );
      this.parts.logger.warn(`workflow ${workflowId} FAILED at step ${stepId}: ${describeError(error)}`);
      await this.parts.hooks.emit('workflow.failed', { workflowId, stepId, error: describeError(error) });
    }
    return null;
  }

  /** Commits a step's output, queues what it made ready, and returns the successor it claimed. */
  private async completed(
    job: ExecuteStepJob,
    execution: StepExecution,
    output: unknown,
    spent: { durationMs: number; calls: number; tokens: number },
    claim: StepClaim,
  ): Promise<ClaimedStep | null> {
    const { workflowId, stepId } = job;
    const mayClaim = claim.canContinue();
    // Given back first, on the same connection: a slot this step frees is there for its successor.
    const released = claim.releaseHeld();
    const askedAhead = mayClaim ? this.askAhead(job, execution) : null;
    let result: CompleteStepResult;
    try {
      [result] = await Promise.all([
        this.parts.store.completeStep({
          claimForJob: mayClaim
            ? { jobId: claim.jobId, meta: execution.meta, servedQueues: this.servedQueues }
            : undefined,
          workflowId,
          graphId: execution.graphId,
          stepId,
          runToken: execution.runToken,
          output,
          durationMs: spent.durationMs,
          llmCalls: spent.calls,
          llmTokens: spent.tokens,
        }),
        released,
      ]);
    } catch (error) {
      void askedAhead?.then((asked) => asked && this.parts.admissions?.discard(asked.answer));
      throw error;
    }
    const asked = await askedAhead;
    const claimed = result.outcome === 'advanced' ? result.claimed : null;
    if (asked && asked.stepId !== claimed?.stepId) this.parts.admissions?.discard(asked.answer);
    if (result.outcome !== 'advanced') return null;
    if (result.status === 'COMPLETED') {
      this.parts.logger.log(`workflow ${workflowId} COMPLETED`);
      await this.parts.hooks.emit('workflow.completed', { workflowId });
    }
    const queued = [];
    for (const step of result.readySteps) {
      if (mayClaim && this.mayFork(step)) claim.fork(step, execution.meta);
      else queued.push(step);
    }
    await this.enqueue(workflowId, queued, execution.meta);
    if (!claimed) return null;
    return asked?.stepId === claimed.stepId
      ? { execution: claimed, askedAhead: asked.answer }
      : { execution: claimed };
  }

  /**
   * Flow control's answer for the successor this step's completion will likely claim, asked while
   * the completion travels (see StepAdmissions.askAhead); null when none can be foreseen.
   */
  private async askAhead(
    job: ExecuteStepJob,
    execution: StepExecution,
  ): Promise<{ stepId: string; answer: Promise<Admission | null> } | null> {
    const { admissions } = this.parts;
    if (!admissions) return null;
    let likely: Awaited<ReturnType<WorkflowStore['likelyClaim']>>;
    try {
      likely = await this.parts.store.likelyClaim(
        job.workflowId,
        execution.graphId,
        job.stepId,
        this.servedQueues,
      );
    } catch {
      return null; // no forecast: the claimed successor is asked about after its claim, as without one
    }
    if (!likely) return null;
    const successor: ExecuteStepJob = {
      workflowId: job.workflowId,
      stepId: likely.stepId,
      attempt: 1,
      flow: job.flow,
    };
    const answer = admissions.askAhead(successor, likely.queue);
    // Awaited only once the completion is back: marked handled now, so a refusal by Redis meanwhile
    // is not an unhandled rejection; whoever awaits it still gets the error.
    answer.catch(() => undefined);
    return { stepId: likely.stepId, answer };
  }

  /**
   * Whether a ready step the completion did not claim may run forked: a first attempt (as a claim
   * is) of an agent this worker serves, while fewer than `forkLimit` forked steps run.
   */
  private mayFork(step: StepDispatch): boolean {
    return (
      this.servedQueues.has(step.queue) &&
      step.attempt === 1 &&
      this.forksRunning < (this.parts.forkLimit ?? 0)
    );
  }

  /**
   * Runs a ready step beside the chain that readied it, in the same job: the branches of a
   * parallel step (a CREATE_SITE's content and design) start at once instead of after a trip
   * through their queue. It begins as a queue job's step does, marked as the job's, so a worker
   * that dies mid-step leaves it to the job's next delivery (beginStep hands it back). The gate is
   * asked first; refused, the step waits in its queue as a refused job does.
   */
  private async fork(
    parent: ExecuteStepJob,
    step: StepDispatch,
    meta: WorkflowMeta,
    jobId: string,
    canContinue: () => boolean,
  ): Promise<void> {
    this.forksRunning += 1;
    try {
      const job: ExecuteStepJob = {
        workflowId: parent.workflowId,
        stepId: step.stepId,
        attempt: step.attempt,
        flow: parent.flow,
      };
      const admission = this.parts.admissions
        ? await this.parts.admissions.admitForked(job, step, stepOriginOf(meta))
        : { admitted: true as const, release: async () => {} };
      if (admission.admitted) await this.runWithForks(job, jobId, canContinue, admission.release, 'fork');
    } finally {
      this.forksRunning -= 1;
    }
  }

  /** Runs the agent; a timeout or cancel settles the step even if the agent ignores its signal. */
  private async invoke(
    agent: Agent,
    context: AgentContext,
    controller: AbortController,
    timeoutMs: number,
  ): Promise<AgentOutcome> {
    const timer = setTimeout(
      () =>
        controller.abort(
          new TimeoutError(`agent ${agent.descriptor.name} exceeded its ${timeoutMs} ms time limit`),
        ),
      timeoutMs,
    );
    const { signal } = controller;
    let settle = () => {};
    const aborted = new Promise<AgentOutcome>((resolve) => {
      settle = () => resolve({ ok: false, error: signal.reason ?? new CancelledError() });
    });
    if (signal.aborted) settle();
    else signal.addEventListener('abort', settle, { once: true });
    try {
      return await Promise.race([
        agent.execute(context).then(
          (output): AgentOutcome => ({ ok: true, output }),
          (error: unknown): AgentOutcome => ({
            ok: false,
            error: controller.signal.aborted ? controller.signal.reason : error,
          }),
        ),
        aborted,
      ]);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', settle);
    }
  }

  /** Queues steps; with the workflow's meta at hand, fair sharing need not read it. */
  private enqueue(workflowId: string, steps: StepDispatch[], meta?: WorkflowMeta): Promise<void> {
    return this.parts.queues.add(workflowId, steps, undefined, meta && stepOriginOf(meta));
  }

  /** A log line to PostgreSQL and, unless `isLive` is false, a live `log` event. */
  private log(
    workflowId: string,
    level: LogLevel,
    message: string,
    detail: { stepId?: string; agent?: string; metadata?: Record<string, unknown>; isLive?: boolean } = {},
  ): void {
    const entry = {
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      level,
      workflowId,
      agent: detail.agent ?? null,
      message,
      // Beside the step id, the ids of the span it was written in: from a log row to its trace.
      metadata: {
        ...detail.metadata,
        ...(detail.stepId ? { stepId: detail.stepId } : {}),
        ...activeTraceIds(),
      },
    };
    this.parts.telemetry.log(entry);
    if (detail.isLive === false) return;
    this.parts.store
      .appendLog({
        workflowId,
        level,
        message,
        stepId: detail.stepId,
        agent: detail.agent,
        metadata: detail.metadata,
        logId: entry.id,
      })
      .catch((error: unknown) =>
        this.parts.logger.error(`could not add a log event to workflow ${workflowId}: ${String(error)}`),
      );
  }
}

/** `release`, given back once however often it is called. */
function once(release: () => Promise<void>): () => Promise<void> {
  let released: Promise<void> | undefined;
  return () => (released ??= release());
}
