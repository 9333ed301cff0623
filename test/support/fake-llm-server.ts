import { once } from 'node:events';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { planSiteByRules } from '../../libs/agents/src/planner/site-request.rules';
import { writeCopyByRules } from '../../libs/agents/src/content/site-copy.rules';
import { SiteSpec } from '../../libs/agents/src/site-spec.model';

/** One call the server answered. */
export interface FakeLlmCall {
  task: 'plan-site' | 'write-copy';
  receivedAt: number;
  answeredAt: number;
  promptTokens: number;
  completionTokens: number;
  /** What the caller said was wrong with the previous answer, when this call asks for a repair. */
  repairOf: string | null;
}

/**
 * A language model for tests: a local server speaking OpenAI's `POST /chat/completions` that
 * answers the planner and content agents with what the offline rules would write, after a delay
 * per task, and reports token usage as a provider does.
 */
export class FakeLlmServer {
  readonly calls: FakeLlmCall[] = [];
  /** Pages the next plan leaves out, as a model that drops what was asked would. */
  private pagesToDrop: string[] = [];

  private constructor(
    private readonly server: Server,
    private readonly delayMs: Partial<Record<FakeLlmCall['task'], number>>,
  ) {}

  static async start(
    options: { delayMs?: Partial<Record<FakeLlmCall['task'], number>> } = {},
  ): Promise<FakeLlmServer> {
    const server = createServer();
    const fake = new FakeLlmServer(server, options.delayMs ?? {});
    server.on(
      'request',
      (request: IncomingMessage, response: ServerResponse) => void fake.answer(request, response),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  /** Makes the next plan-site answer leave out these pages (a repair request is answered in full). */
  dropPagesOnce(slugs: string[]): void {
    this.pagesToDrop = slugs;
  }

  /** The base URL to give an orchestrator as `LLM_BASE_URL`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as {
      messages: { role: string; content: string }[];
    };
    const system = body.messages.find((message) => message.role === 'system')?.content ?? '';
    const user = body.messages.find((message) => message.role === 'user')?.content ?? '';
    const task: FakeLlmCall['task'] = system.startsWith('You plan small websites')
      ? 'plan-site'
      : 'write-copy';
    const lastMessage = body.messages[body.messages.length - 1];
    const repairOf = body.messages.length > 2 && lastMessage.role === 'user' ? lastMessage.content : null;
    let answer: unknown;
    if (task === 'plan-site') {
      const spec = planSiteByRules(user).spec;
      const drop = this.pagesToDrop;
      this.pagesToDrop = [];
      answer = { ...spec, pages: spec.pages.filter((page) => !drop.includes(page.slug)) };
    } else {
      answer = writeCopyByRules(JSON.parse(user.slice(user.indexOf('\n') + 1)) as SiteSpec);
    }
    await new Promise((resolve) => setTimeout(resolve, this.delayMs[task] ?? 0));
    const content = JSON.stringify(answer);
    const usage = {
      prompt_tokens: Math.ceil((system.length + user.length) / 4),
      completion_tokens: Math.ceil(content.length / 4),
    };
    this.calls.push({
      task,
      receivedAt,
      answeredAt: Date.now(),
      promptTokens: usage.prompt_tokens,
      completionTokens: usage.completion_tokens,
      repairOf,
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }], usage }));
  }
}
