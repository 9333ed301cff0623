import type { RetryConfig } from '../retry-policy';

/**
 * An agent that is an HTTP endpoint, in any language: each step POSTs its context there as JSON,
 * signed with `secret` (Standard Webhooks), and the JSON answer is the step's output.
 * Registered through `POST /admin/http-agents`; the secret never leaves the services again.
 */
export interface HttpAgentDefinition {
  /** Kebab-case, unique among all agents; workflow definitions name it in their steps. */
  name: string;
  /** Semantic version. */
  version: string;
  description: string;
  /** The http(s) URL each step POSTs to. */
  url: string;
  /**
   * The Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64 random bytes. The
   * receiver verifies `webhook-signature` with it.
   */
  secret: string;
  /**
   * Time limit of a step's first attempt (one request), which is aborted after it; the retry of an
   * attempt that timed out gets a longer one (the retry policy's `timeoutMultiplier`, 2 by default).
   */
  timeoutSeconds: number;
  /** Overrides of the default retry policy, as an in-process agent's descriptor gives them. */
  retry?: Partial<RetryConfig>;
}
