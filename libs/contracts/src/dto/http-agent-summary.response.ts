import { HttpAgentRetryOverrides } from './register-http-agent.request';

/** An HTTP agent as the admin API shows it: never its secret. */
export class HttpAgentSummary {
  name!: string;
  version!: string;
  description!: string;
  url!: string;
  timeoutSeconds!: number;
  retry?: HttpAgentRetryOverrides;
  /** Requests are signed; the secret itself is never shown after registration. */
  hasSecret!: boolean;
}

/** The answer to `POST /admin/http-agents` (201). */
export class RegisteredHttpAgent extends HttpAgentSummary {
  /** The secret the gateway generated, when the request gave none: the only time it is shown. */
  secret?: string;
}
