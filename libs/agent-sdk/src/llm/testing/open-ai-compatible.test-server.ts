import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** How the server answers one call: it may write anything, or nothing and hold the connection. */
export type TestReply = (response: ServerResponse, body: ChatRequestBody) => void | Promise<void>;

/** The parts of a chat-completions request the tests look at. */
export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  response_format?: { type: string };
}

/** One call the server received. */
export interface ReceivedCall {
  at: number;
  body: ChatRequestBody;
  headers: IncomingMessage['headers'];
  /** Resolves when the client's connection of this call closes (a cancelled stream closes early). */
  closed: Promise<void>;
}

/**
 * A local server speaking OpenAI's `POST /chat/completions`, answering each call with the next
 * reply (the last one again after that), for tests of the client against real HTTP.
 */
export class OpenAiCompatibleTestServer {
  readonly calls: ReceivedCall[] = [];

  private constructor(
    private readonly server: Server,
    private readonly replies: TestReply[],
  ) {}

  static async start(replies: TestReply[]): Promise<OpenAiCompatibleTestServer> {
    const server = createServer();
    const started = new OpenAiCompatibleTestServer(server, replies);
    server.on(
      'request',
      (request: IncomingMessage, response: ServerResponse) => void started.answer(request, response),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return started;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const closed = once(response, 'close').then(() => undefined);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404).end();
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString()) as ChatRequestBody;
    this.calls.push({ at: Date.now(), body, headers: request.headers, closed });
    await this.replies[Math.min(this.calls.length - 1, this.replies.length - 1)](response, body);
  }
}

/** A non-streamed answer with the usage a provider reports (null: none). */
export const answer =
  (
    content: string,
    usage: { prompt_tokens: number; completion_tokens: number } | null = {
      prompt_tokens: 120,
      completion_tokens: 45,
    },
    model?: string,
  ): TestReply =>
  (response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        ...(model ? { model } : {}),
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        ...(usage ? { usage } : {}),
      }),
    );
  };

/** An error answer shaped as OpenAI's. */
export const refuse =
  (
    status: number,
    error: { message: string; code?: string } = { message: `status ${status}` },
    headers: Record<string, string> = {},
  ): TestReply =>
  (response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify({ error }));
  };

/**
 * A streamed answer: one server-sent event per piece, `pauseMs` apart, then (unless `usage` is
 * null) the usage chunk OpenAI sends for `include_usage`, then `[DONE]`. With `holdAfter`, it stops
 * after that many pieces and keeps the connection open, as a slow model does.
 */
export const stream =
  (
    pieces: string[],
    options: {
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
      pauseMs?: number;
      holdAfter?: number;
    } = {},
  ): TestReply =>
  async (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const [index, piece] of pieces.entries()) {
      if (options.holdAfter !== undefined && index >= options.holdAfter) return;
      if (response.destroyed) return;
      response.write(
        `data: ${JSON.stringify({ model: 'streamed-model', choices: [{ index: 0, delta: { content: piece } }] })}\n\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 0));
    }
    if (options.holdAfter !== undefined) return;
    response.write(
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
    );
    if (options.usage !== null) {
      response.write(
        `data: ${JSON.stringify({ choices: [], usage: options.usage ?? { prompt_tokens: 30, completion_tokens: pieces.length } })}\n\n`,
      );
    }
    response.end('data: [DONE]\n\n');
  };
