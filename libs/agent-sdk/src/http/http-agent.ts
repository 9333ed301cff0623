import { Agent, AgentContext, AgentDescriptor, FanOutItem } from '../agent';
import {
  AgentError,
  CancelledError,
  NetworkError,
  TimeoutError,
  ValidationError,
  describeError,
} from '../agent-errors';
import type { BreakerOutcome } from '@app/flow-control';
import { breakerOutcomeOfError, breakerOutcomeOfResponse } from '../breakers/breaker-outcome';
import type { BreakerTicket, CircuitBreakers } from '../breakers/circuit-breakers';
import { HttpAgentDefinition } from './http-agent.definition';
import { outputOfResponse } from './http-agent.response';
import { HttpAgentSigner } from './http-agent.signature';
import { HostLookup, HttpAgentUrlRefusedError, checkHttpAgentUrl } from './http-agent-url.policy';

export interface HttpAgentOptions {
  /**
   * `HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS`: when false (the default), every request first checks that
   * the host still resolves to public addresses only.
   */
  allowPrivateNetworks?: boolean;
  /** Resolves host names for that check; the system resolver unless given. */
  lookup?: HostLookup;
  /** Largest answer read as the step's output; 10 MiB unless given. */
  maxResponseBytes?: number;
  /**
   * The breakers its requests go through (the worker's, so the probe a step was admitted as is
   * the request it makes): `http:<host>`, which the agent declares as its dependency, so its steps
   * wait in their queue while that breaker is open. None unless given.
   */
  breakers?: CircuitBreakers;
}

/** The dependency an HTTP agent's requests are: `http:<host>[:<port>]` of its URL. */
export function httpDependencyOf(url: string): string {
  return `http:${new URL(url).host}`;
}

/** What the step POSTs: its context, as JSON. */
export interface HttpAgentRequest {
  workflowId: string;
  workflowType: string;
  stepId: string;
  /** 1 for the first attempt of this step. */
  attempt: number;
  sessionId: string;
  input: Readonly<Record<string, unknown>>;
  preferences: Readonly<Record<string, unknown>>;
  /** Outputs of the steps this step depends on, by step id. */
  dependencies: Readonly<Record<string, unknown>>;
  /** The work item of a fan-out's sub-step ({@link AgentContext.item}); absent for any other step. */
  item?: FanOutItem;
  /**
   * ISO-8601 time the request is aborted at: the step's deadline ({@link AgentContext.deadline}),
   * `timeoutSeconds` after the attempt began, longer on the retry of an attempt that timed out.
   */
  deadline: string;
}

const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * A normal {@link Agent} whose steps are HTTP requests: each POSTs the step's context as JSON
 * ({@link HttpAgentRequest}) to the definition's URL, signed with Standard Webhooks headers, and
 * returns the JSON answer as the step's output. The request is aborted when the step is cancelled
 * or reaches its deadline (the worker derives it from the descriptor's `timeoutSeconds`, and
 * lengthens it on the retry after a timeout); answers map to the error taxonomy as
 * {@link outputOfResponse} says, and redirects are not followed. The descriptor holds neither the
 * URL nor the secret, so it is published like any agent's.
 */
export function createHttpAgent(definition: HttpAgentDefinition, options: HttpAgentOptions = {}): Agent {
  return new HttpAgent(definition, options);
}

class HttpAgent implements Agent {
  readonly descriptor: AgentDescriptor;
  private readonly signer: HttpAgentSigner;

  constructor(
    private readonly definition: HttpAgentDefinition,
    private readonly options: HttpAgentOptions,
  ) {
    const { name, version, description, timeoutSeconds, retry } = definition;
    this.descriptor = {
      name,
      version,
      description,
      timeoutSeconds,
      ...(retry ? { retry } : {}),
      ...(options.breakers ? { dependencies: [httpDependencyOf(definition.url)] } : {}),
    };
    this.signer = new HttpAgentSigner(definition.secret);
  }

  async execute(context: AgentContext): Promise<unknown> {
    const { name } = this.definition;
    const { deadline } = context;
    const startedAt = new Date();
    const request = new AbortController();
    // The step's deadline, not the definition's timeoutSeconds: the worker already made that the
    // first attempt's limit, and a retry after a timeout must get the longer limit it was given.
    // A timer of its own as well, for a caller that sets a deadline but never fires the signal.
    const timer = setTimeout(
      () =>
        request.abort(
          new TimeoutError(`agent ${name} did not answer by its step's deadline, ${deadline.toISOString()}`),
        ),
      Math.max(0, deadline.getTime() - startedAt.getTime()),
    );
    const stop = () => request.abort(stepAbortReason(context.signal));
    if (context.signal.aborted) stop();
    else context.signal.addEventListener('abort', stop, { once: true });
    let ticket: BreakerTicket | null = null;
    let outcome: BreakerOutcome = { kind: 'ignored' };
    try {
      const url = await this.checkedUrl();
      // Open: a CircuitOpenError, retried after it (the gate holds the steps that have not begun).
      ticket = (await this.options.breakers?.before(httpDependencyOf(url.href))) ?? null;
      const body = JSON.stringify({
        workflowId: context.workflowId,
        workflowType: context.workflowType,
        stepId: context.stepId,
        attempt: context.attempt,
        sessionId: context.sessionId,
        input: context.input,
        preferences: context.preferences,
        dependencies: context.dependencies,
        ...(context.item ? { item: context.item } : {}),
        deadline: deadline.toISOString(),
      } satisfies HttpAgentRequest);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...this.signer.sign({
            // A fan-out's sub-steps share their step id: the item keeps each one's id its own.
            id: `${context.workflowId}:${context.stepId}${context.item ? `#${context.item.index}` : ''}:${context.attempt}`,
            timestamp: startedAt,
            body,
          }),
        },
        body,
        redirect: 'manual',
        signal: request.signal,
      });
      outcome = breakerOutcomeOfResponse(response);
      return await outputOfResponse(response, {
        agent: name,
        maxBodyBytes: this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      });
    } catch (error) {
      const thrown = request.signal.aborted
        ? // Aborted: say why (the step's cancel or timeout, or this request's own time limit).
          (request.signal.reason as unknown)
        : error instanceof AgentError
          ? error
          : new NetworkError(`agent ${name} unreachable: ${describeError(error)}`, { cause: error });
      // Only what the request itself came to: an answer read badly after a good status was an answer.
      if (outcome.kind === 'ignored') outcome = breakerOutcomeOfError(thrown);
      throw thrown;
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener('abort', stop);
      if (ticket) await this.options.breakers?.after(ticket, outcome);
    }
  }

  /** The URL, checked again unless private networks are allowed: a name may resolve elsewhere now. */
  private async checkedUrl(): Promise<URL> {
    const { allowPrivateNetworks = false, lookup } = this.options;
    try {
      return await checkHttpAgentUrl(this.definition.url, { allowPrivateNetworks, lookup });
    } catch (error) {
      if (error instanceof HttpAgentUrlRefusedError)
        throw new ValidationError(`agent ${this.definition.name}: ${error.message}`, { cause: error });
      throw error;
    }
  }
}

/** Why the step stopped: its signal's reason when it is an error, else a cancel. */
function stepAbortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new CancelledError();
}
