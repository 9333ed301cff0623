import type { BreakerStatus } from '@app/flow-control';
import type {
  BulkActionProgress,
  BulkActionRequest,
  BulkActionStarted,
  BudgetStatus,
  LogEntry,
  LogPage,
  ReplayWorkflowResponse,
  SetBudgetRequest,
  WorkflowDiffResponse,
  WorkflowEvent,
  WorkflowPage,
  WorkflowState,
} from '@app/contracts';
import { CliError, ExitCode } from './cli-error';
import { Connection } from './cli.config';

const WORKFLOW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The gateway's REST API as the CLI uses it; every failure becomes a one-line {@link CliError}. */
export class GatewayClient {
  constructor(readonly connection: Connection) {}

  start(body: {
    type: string;
    input: Record<string, unknown>;
    sessionId: string;
    preferences?: Record<string, unknown>;
  }): Promise<{ workflowId: string }> {
    return this.call('POST', '/workflows', body);
  }

  list(filters: Record<string, string | number | undefined>): Promise<WorkflowPage> {
    return this.call('GET', `/workflows${queryString(filters)}`);
  }

  get(workflowId: string): Promise<WorkflowState> {
    return this.call('GET', `/workflows/${checkedWorkflowId(workflowId)}`);
  }

  cancel(workflowId: string): Promise<WorkflowState> {
    return this.call('POST', `/workflows/${checkedWorkflowId(workflowId)}/cancel`, {});
  }

  retry(workflowId: string): Promise<unknown> {
    return this.call('POST', `/workflows/${checkedWorkflowId(workflowId)}/retry`, {});
  }

  /** Approves or rejects a waiting approval step (`body`: `payload`, `comment`). */
  decide(
    workflowId: string,
    stepId: string,
    decision: 'approve' | 'reject',
    body: { payload?: Record<string, unknown>; comment?: string },
  ): Promise<WorkflowState> {
    return this.call(
      'POST',
      `/workflows/${checkedWorkflowId(workflowId)}/steps/${encodeURIComponent(stepId)}/${decision}`,
      body,
    );
  }

  /** Pauses (`pause`) or resumes (`resume`) a workflow. */
  control(workflowId: string, action: 'pause' | 'resume'): Promise<WorkflowState> {
    return this.call('POST', `/workflows/${checkedWorkflowId(workflowId)}/${action}`, {});
  }

  /** A new workflow replaying this one from `fromStep`, with `input`'s fields replacing its input's. */
  replay(
    workflowId: string,
    body: { fromStep: string; input?: Record<string, unknown> },
  ): Promise<ReplayWorkflowResponse> {
    return this.call('POST', `/workflows/${checkedWorkflowId(workflowId)}/replay`, body);
  }

  diff(workflowId: string, otherId: string): Promise<WorkflowDiffResponse> {
    return this.call('GET', `/workflows/${checkedWorkflowId(workflowId)}/diff/${checkedWorkflowId(otherId)}`);
  }

  /** Queues a bulk action (`POST /workflows/bulk`). */
  bulk(body: BulkActionRequest): Promise<BulkActionStarted> {
    return this.call('POST', '/workflows/bulk', body);
  }

  bulkProgress(jobId: string): Promise<BulkActionProgress> {
    return this.call('GET', `/workflows/bulk/${encodeURIComponent(jobId)}`);
  }

  events(workflowId: string, after = 0): Promise<WorkflowEvent[]> {
    return this.call('GET', `/workflows/${checkedWorkflowId(workflowId)}/events?after=${after}`);
  }

  /** Every log entry of a workflow, oldest first, page after page. */
  async logs(workflowId: string): Promise<LogEntry[]> {
    const entries: LogEntry[] = [];
    let cursor: string | null = null;
    do {
      const page: LogPage = await this.call(
        'GET',
        `/workflows/${checkedWorkflowId(workflowId)}/logs${queryString({ limit: 1000, cursor: cursor ?? undefined })}`,
      );
      entries.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return entries;
  }

  agents(): Promise<unknown[]> {
    return this.call('GET', '/agents');
  }

  workers(): Promise<unknown[]> {
    return this.call('GET', '/workers');
  }

  queues(): Promise<
    { name: string; partitions: number; isPaused: boolean; counts: Record<string, number> }[]
  > {
    return this.call('GET', '/admin/queues');
  }

  breakers(): Promise<BreakerStatus[]> {
    return this.call('GET', '/admin/breakers');
  }

  resetBreaker(dependency: string): Promise<BreakerStatus> {
    return this.call('POST', `/admin/breakers/${encodeURIComponent(dependency)}/reset`);
  }

  /** `scopePath`: workflows, tenants or agents. */
  budget(scopePath: string, subject: string): Promise<BudgetStatus> {
    return this.call('GET', `/admin/budgets/${scopePath}/${encodeURIComponent(subject)}`);
  }

  setBudget(scopePath: string, subject: string, body: SetBudgetRequest): Promise<BudgetStatus> {
    return this.call('PUT', `/admin/budgets/${scopePath}/${encodeURIComponent(subject)}`, body);
  }

  keys(tenantId?: string): Promise<unknown[]> {
    return this.call('GET', `/admin/keys${queryString({ tenantId })}`);
  }

  createKey(body: { tenantId: string; role: string; name?: string }): Promise<Record<string, unknown>> {
    return this.call('POST', '/admin/keys', body);
  }

  revokeKey(id: string): Promise<unknown> {
    return this.call('DELETE', `/admin/keys/${encodeURIComponent(id)}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.connection.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.connection.key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw unreachable(this.connection.url, error);
    }
    const text = await response.text();
    if (!response.ok) throw failure(response.status, text, `${method} ${path.split('?')[0]}`);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        `${this.connection.url} answered ${method} ${path} with something other than JSON: is it the gateway?`,
        ExitCode.GatewayError,
      );
    }
  }
}

export function unreachable(url: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return new CliError(`cannot reach the gateway at ${url} (${reason})`, ExitCode.Unreachable);
}

/** A workflow id is a UUID; anything else cannot name a workflow. */
export function checkedWorkflowId(workflowId: string): string {
  if (!WORKFLOW_ID.test(workflowId)) {
    throw new CliError(`no workflow "${workflowId}": workflow ids are UUIDs`, ExitCode.NotFound);
  }
  return workflowId.toLowerCase();
}

function failure(status: number, text: string, what: string): CliError {
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as {
      message?: string | string[];
      errors?: { path?: string; message?: string }[];
    };
    const parts = Array.isArray(body.message) ? body.message : [body.message ?? text];
    const fields = (body.errors ?? []).map((error) => `${error.path ?? ''} ${error.message ?? ''}`.trim());
    message = [...parts, ...fields].join('; ');
  } catch {
    // not JSON: keep the text
  }
  switch (status) {
    case 400:
    case 422:
      return new CliError(`invalid request: ${message}`, ExitCode.Usage);
    case 401:
      return new CliError(`the gateway refused the API key: ${message}`, ExitCode.Unauthorized);
    case 403:
      return new CliError(`not allowed: ${message}`, ExitCode.Unauthorized);
    case 404:
      return new CliError(`not found: ${message}`, ExitCode.NotFound);
    case 409:
      return new CliError(message, ExitCode.Conflict);
    default:
      return new CliError(`${what} failed: ${status} ${message}`, ExitCode.GatewayError);
  }
}

function queryString(values: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) query.set(name, String(value));
  const text = query.toString();
  return text ? `?${text}` : '';
}
