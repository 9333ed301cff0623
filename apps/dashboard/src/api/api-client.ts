import { ApiError } from './api-error';
import type {
  AgentMetricsSummary,
  ApiKeySummary,
  CallerIdentity,
  CreatedApiKey,
  InputError,
  LogLevel,
  LogPage,
  MetricsTrends,
  QueueStatus,
  RegisteredAgent,
  Role,
  SiteSummary,
  SiteVersion,
  StartWorkflowRequest,
  TrendInterval,
  WorkflowDefinition,
  WorkflowDiff,
  WorkflowEvent,
  WorkflowListPage,
  WorkflowListQuery,
  WorkflowState,
} from './types';

type Query = Record<string, string | number | undefined>;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  query?: Query;
  body?: unknown;
  /** For sign-in: check a key that is not the session's. */
  key?: string;
  /**
   * Whether the answer may set a cookie. The API is called without cookies (the key is the only
   * credential, so no ambient one can be abused); Bull Board's session is the one cookie.
   */
  acceptsCookie?: boolean;
}

/**
 * The gateway's REST API, typed. Every request carries the session's key as a Bearer token; a
 * 401 calls `onUnauthorized` (the session has ended) before it is thrown.
 */
export class ApiClient {
  constructor(
    private readonly keyOf: () => string | null,
    private readonly onUnauthorized: (error: ApiError) => void,
  ) {}

  me(key?: string): Promise<CallerIdentity> {
    return this.request('/auth/me', { key });
  }

  listWorkflows(query: WorkflowListQuery): Promise<WorkflowListPage> {
    return this.request('/workflows', { query: { ...query } });
  }

  workflow(workflowId: string): Promise<WorkflowState> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}`);
  }

  async events(workflowId: string, after: number): Promise<WorkflowEvent[]> {
    const answer = await this.request<WorkflowEvent[] | { events: WorkflowEvent[] }>(
      `/workflows/${encodeURIComponent(workflowId)}/events`,
      { query: { after } },
    );
    // An array today; an object with `events` if the route grows paging.
    return Array.isArray(answer) ? answer : answer.events;
  }

  logs(workflowId: string, query: { level?: LogLevel; search?: string; limit?: number }): Promise<LogPage> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}/logs`, { query: { ...query } });
  }

  output(workflowId: string, stepId: string): Promise<{ stepId: string; output: unknown }> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}/outputs/${encodeURIComponent(stepId)}`);
  }

  cancel(workflowId: string): Promise<WorkflowState> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}/cancel`, { method: 'POST' });
  }

  retry(workflowId: string): Promise<unknown> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}/retry`, { method: 'POST' });
  }

  /** Approves or rejects an approval step that waits for a decision. */
  decide(
    workflowId: string,
    stepId: string,
    decision: 'approve' | 'reject',
    body: { payload?: Record<string, unknown>; comment?: string },
  ): Promise<WorkflowState> {
    return this.request(
      `/workflows/${encodeURIComponent(workflowId)}/steps/${encodeURIComponent(stepId)}/${decision}`,
      { method: 'POST', body },
    );
  }

  /** Pauses or resumes a workflow. */
  control(workflowId: string, action: 'pause' | 'resume'): Promise<WorkflowState> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}/${action}`, { method: 'POST' });
  }

  /** Starts a new workflow that runs this one again from `fromStep`, reusing the outputs before it. */
  replay(workflowId: string, fromStep: string): Promise<{ workflowId: string }> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}/replay`, {
      method: 'POST',
      body: { fromStep },
    });
  }

  diff(workflowId: string, otherId: string): Promise<WorkflowDiff> {
    return this.request(`/workflows/${encodeURIComponent(workflowId)}/diff/${encodeURIComponent(otherId)}`);
  }

  start(request: StartWorkflowRequest): Promise<{ workflowId: string }> {
    return this.request('/workflows', { method: 'POST', body: request });
  }

  definitions(): Promise<WorkflowDefinition[]> {
    return this.request('/workflow-definitions');
  }

  agents(): Promise<RegisteredAgent[]> {
    return this.request('/agents');
  }

  agentMetrics(range: { from?: string; to?: string }): Promise<AgentMetricsSummary> {
    return this.request('/agents/metrics', { query: range });
  }

  trends(query: { from?: string; to?: string; interval: TrendInterval }): Promise<MetricsTrends> {
    return this.request('/metrics/trends', { query });
  }

  queues(): Promise<QueueStatus[]> {
    return this.request('/admin/queues');
  }

  pauseQueue(name: string): Promise<QueueStatus> {
    return this.request(`/admin/queues/${encodeURIComponent(name)}/pause`, { method: 'POST' });
  }

  resumeQueue(name: string): Promise<QueueStatus> {
    return this.request(`/admin/queues/${encodeURIComponent(name)}/resume`, { method: 'POST' });
  }

  /** Opens a Bull Board session: its cookie comes back with the answer, which names the board's URL. */
  openQueueBoard(): Promise<{ url: string; expiresAt: string }> {
    return this.request('/admin/queues/board-session', { method: 'POST', acceptsCookie: true });
  }

  sites(): Promise<SiteSummary[]> {
    return this.request('/sites');
  }

  siteVersions(siteId: string): Promise<SiteVersion[]> {
    return this.request(`/sites/${encodeURIComponent(siteId)}/versions`);
  }

  rollback(siteId: string, version: number): Promise<unknown> {
    return this.request(`/sites/${encodeURIComponent(siteId)}/rollback`, {
      method: 'POST',
      body: { version },
    });
  }

  keys(): Promise<ApiKeySummary[]> {
    return this.request('/admin/keys');
  }

  createKey(request: { tenantId: string; role: Role; name: string }): Promise<CreatedApiKey> {
    return this.request('/admin/keys', { method: 'POST', body: request });
  }

  revokeKey(keyId: string): Promise<void> {
    return this.request(`/admin/keys/${encodeURIComponent(keyId)}`, { method: 'DELETE' });
  }

  private async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const key = options.key ?? this.keyOf();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (key) headers.Authorization = `Bearer ${key}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path + queryString(options.query), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        credentials: options.acceptsCookie ? 'same-origin' : 'omit',
      });
    } catch {
      throw new ApiError(
        0,
        'Cannot reach the gateway: the network or the server is down. Try again shortly.',
      );
    }
    if (response.status === 204) return undefined as T;
    const body: unknown = await response.json().catch(() => null);
    if (response.ok && body !== null) return body as T;
    if (response.ok) throw new ApiError(response.status, `${path} answered with something other than JSON`);
    const error = errorOf(response, body);
    // Only the session's own key ends the session; a refused key on the sign-in form is just refused.
    if (error.isUnauthorized && options.key === undefined) this.onUnauthorized(error);
    throw error;
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function errorOf(response: Response, body: unknown): ApiError {
  const fields = (body ?? {}) as { message?: unknown; errors?: unknown };
  const message = Array.isArray(fields.message)
    ? fields.message.map(String).join('; ')
    : typeof fields.message === 'string'
      ? fields.message
      : `${response.status} ${response.statusText || 'error'}`;
  const errors = Array.isArray(fields.errors) ? (fields.errors as InputError[]) : [];
  return new ApiError(response.status, message, errors);
}
