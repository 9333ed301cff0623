/**
 * HTTP calls to a gateway as a given caller. Specs use this instead of bare fetch, so the way a
 * caller identifies itself lives in one place.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string | null,
  ) {}

  as(apiKey: string | null): ApiClient {
    return new ApiClient(this.baseUrl, apiKey);
  }

  request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  get(path: string): Promise<Response> {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response> {
    return this.request('POST', path, body ?? {}, headers);
  }

  /** GET and parse, failing loudly on a non-2xx answer. */
  async json<T>(path: string): Promise<T> {
    const response = await this.get(path);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** Registers a workflow definition (steps without `dependsOn` are roots); fails loudly unless 201. */
  async defineWorkflow(
    type: string,
    steps: { id: string; agent: string; dependsOn?: string[] }[],
  ): Promise<void> {
    const response = await this.post('/workflow-definitions', {
      type,
      description: `test workflow ${type}`,
      steps: steps.map((step) => ({ dependsOn: [], ...step })),
    });
    if (response.status !== 201)
      throw new Error(`defining ${type}: ${response.status} ${await response.text()}`);
  }

  /** Starts a workflow and returns its id. */
  async startWorkflow(body: Record<string, unknown>, headers?: Record<string, string>): Promise<string> {
    const response = await this.post('/workflows', body, headers);
    if (response.status !== 202)
      throw new Error(`POST /workflows: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { workflowId: string }).workflowId;
  }
}
