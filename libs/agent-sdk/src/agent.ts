import { LogLevel } from '@app/contracts';
import { CpuTask } from './cpu/cpu-task';
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
}

/** Tokens spent in one language-model call, as the provider reported them. */
export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
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
  /** Counts one language-model call and the tokens it really spent. */
  recordLlmUsage(usage: LlmUsage): void;
  /**
   * Runs CPU-bound work in the orchestrator's worker-thread pool, so this process's event loop
   * stays free to start other steps, renew locks and hear cancels meanwhile. The step's signal
   * reaches the task: a cancel or timeout stops it at once.
   */
  runCpuTask<Input, Output>(task: CpuTask<Input, Output>, input: Input): Promise<Output>;
}

/**
 * A unit of agent work. `execute` returns a JSON-serialisable output that later steps read
 * as `context.dependencies[stepId]`; it throws an {@link AgentError} to say how to retry.
 */
export interface Agent<Output = unknown> {
  readonly descriptor: AgentDescriptor;
  execute(context: AgentContext): Promise<Output>;
}
