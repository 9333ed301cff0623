import { AgentContext } from '@app/agent-sdk';
import { SiteSpec } from '../site-spec.model';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * What the caller wants, in structured form. A language model reads `messages`; the offline
 * provider cannot read prose, so it answers `task` with rules instead.
 */
export type LlmTask =
  | { name: 'plan-site'; request: string }
  | { name: 'change-site'; request: string; spec: SiteSpec }
  | { name: 'write-copy'; spec: SiteSpec };

export interface LlmRequest {
  task: LlmTask;
  /** The prompt for a language model; it is asked to answer with one JSON object. */
  messages: LlmMessage[];
}

export interface LlmCompletion {
  /** The answer's text, expected to be JSON; callers validate it and fall back to rules. */
  text: string;
  /** Which provider answered, for logs. */
  provider: string;
}

/** What a client may use of the step's context: cancellation, logging and token accounting. */
export type LlmCallContext = Pick<AgentContext, 'signal' | 'log' | 'recordLlmUsage'>;

/** A source of completions for the planner and content agents. */
export interface LlmClient {
  /** `offline` for the rules provider; otherwise a model name. */
  readonly provider: string;
  complete(request: LlmRequest, context: LlmCallContext): Promise<LlmCompletion>;
}
