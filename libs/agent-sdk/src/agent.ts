import { LogLevel, RevisionFeedback, StepLimit, WorkflowReplayOrigin } from '@app/contracts';
import type { BreakerOverrides } from '@app/flow-control';
import { CpuTask } from './cpu/cpu-task';
import type { DependencyBreakers } from './dependency-breakers';
import { AgentLlm } from './llm/llm-request';
import { RetryConfig } from './retry-policy';

/** What the registry knows about an agent before it runs. */
export interface AgentDescriptor {
  /** Unique name, used in workflow definitions, logs and metrics labels. */
  name: string;
  version: string;
  description: string;
  /** Overrides of the default retry policy for this agent's failures. */
  retry?: Partial<RetryConfig>;
  /** Overrides `AGENT_TIMEOUT_SECONDS` for this agent. */
  timeoutSeconds?: number;
  /** JSON Schemas of the input it reads and the output it returns, when it publishes them. */
  inputSchema?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  /**
   * The CPU-bound work this agent hands to the worker-thread pool through
   * {@link AgentContext.runCpuTask}; each thread loads (and warms) these modules when it starts.
   */
  cpuTasks?: CpuTask<unknown, unknown>[];
  /**
   * Limits every step of this agent obeys before it begins, shared by all workers through Redis:
   * a rate (`{ requests, periodSeconds, burst? }`) and/or a concurrency (`{ slots, leaseSeconds? }`),
   * keyed by `agent`, `tenant`, `workflowType`, `model` or `input.<path>`. A step that may not
   * begin yet waits in its queue (READY, `waitingFor` says why) and never fails. A deployment
   * changes them with `FLOW_CONTROL_LIMITS` (README, "Flow control").
   */
  limits?: StepLimit[];
  /**
   * What this agent's steps call outside the orchestrator, by name (`payments-api`,
   * `http:api.example.com`, `llm:openai:gpt-4o-mini`): while one's circuit breaker is open, its
   * steps wait in their queue instead of starting (README, "Circuit breakers").
   */
  dependencies?: string[];
  /**
   * This agent's settings of those dependencies' breakers, by name (`failureThreshold`,
   * `coolDownMs`, `fallback`...); a deployment's `CIRCUIT_BREAKERS` overrides them.
   */
  breakers?: Record<string, BreakerOverrides>;
}

/** Tokens spent in one language-model call, as the provider reported them. */
export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  /** The model that answered, for the `llm_*` metrics by agent and model ("unknown" when left out). */
  model?: string;
}

/** The work item one sub-step of a fan-out step runs for. */
export interface FanOutItem {
  /** Its position in the list of work items, from 0. */
  index: number;
  value: unknown;
}

/** Everything an agent may read or do during one step. */
export interface AgentContext {
  workflowId: string;
  workflowType: string;
  stepId: string;
  sessionId: string;
  tenantId: string;
  /** 1 for the first attempt of this step. */
  attempt: number;
  /** The workflow's input, as the client sent it. */
  input: Readonly<Record<string, unknown>>;
  /** The session's preferences sent with the workflow. */
  preferences: Readonly<Record<string, unknown>>;
  /** Outputs of the steps this step depends on, by step id. */
  dependencies: Readonly<Record<string, unknown>>;
  /**
   * Set when the workflow replays another from one of its steps (`POST /workflows/:id/replay`):
   * the steps before it were not run but reused the other's outputs. An agent with side effects
   * may act on what the replayed workflow did (the website deploy publishes to the site it created).
   */
  replayOf?: WorkflowReplayOrigin;
  /**
   * Set when this is one sub-step of a fan-out step (`forEach` in the definition): the work item
   * it runs for, and its index from 0. The fan-out step's successors receive the sub-steps'
   * outputs as one list, in item order.
   */
  item?: FanOutItem;
  /**
   * Set when a check sent this step's earlier work back (a quality loop: a later step declares
   * `revise` to this one and its agent threw `RevisionRequested`): which check, on which
   * iteration of how many, and what it said. Act on it, as a builder fixes the findings of an
   * audit; the steps between this one and the check run again after it.
   */
  feedback?: RevisionFeedback;
  /** Fires when the step times out or the workflow is cancelled; stop work and throw. */
  signal: AbortSignal;
  /**
   * When this attempt's time limit runs out, and `signal` fires with a TimeoutError: the agent's
   * `timeoutSeconds` (else the worker's default) after the attempt began, multiplied by the retry
   * policy's `timeoutMultiplier` on the retry of an attempt that timed out. Work that leaves the
   * process (a remote call) should be given this deadline rather than a fixed time limit of its own.
   */
  deadline: Date;
  /** Adds a line to the workflow's log (a live `log` event and a row in PostgreSQL). */
  log(level: LogLevel, message: string, metadata?: Record<string, unknown>): void;
  /**
   * The language model configured for this agent (`LLM_*`): `complete`, `completeJson` (repairs
   * an invalid answer once) and streaming (`isStreamed`, sent live to the workflow's subscribers).
   * Every call is counted in the step's metrics and recorded with its tokens, cost and outcome.
   */
  llm: AgentLlm;
  /**
   * Counts one language-model call and the tokens it really spent, for an agent that calls a
   * model some other way than `llm` (whose calls are counted already).
   */
  recordLlmUsage(usage: LlmUsage): void;
  /**
   * Runs CPU-bound work in the orchestrator's worker-thread pool, so this process's event loop
   * stays free to start other steps, renew locks and hear cancels meanwhile. The step's signal
   * reaches the task: a cancel or timeout stops it at once.
   */
  runCpuTask<Input, Output>(task: CpuTask<Input, Output>, input: Input): Promise<Output>;
  /**
   * The circuit breakers of the dependencies it calls, shared by every worker:
   * `guard('payments-api', () => pay())` makes the call only while that breaker lets it through and
   * counts its outcome; `resolve(dependency)` names the configured fallback while it is open. Set
   * by the agent worker; absent where no worker runs the agent (a unit test).
   */
  breakers?: DependencyBreakers;
}

/**
 * A unit of agent work. `execute` returns a JSON-serialisable output that later steps read
 * as `context.dependencies[stepId]`; it throws an {@link AgentError} to say how to retry.
 */
export interface Agent<Output = unknown> {
  readonly descriptor: AgentDescriptor;
  execute(context: AgentContext): Promise<Output>;
}
