import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { RetryConfig } from '@app/agent-sdk';
import {
  HttpAgentDefinition,
  HttpAgentUrlPolicy,
  HttpAgentUrlRefusedError,
  checkHttpAgentUrl,
  generateHttpAgentSecret,
} from '@app/agent-sdk/http';
import { GatewayConfig } from '@app/config';
import {
  HttpAgentRetryOverrides,
  HttpAgentSummary,
  RegisterHttpAgentRequest,
  RegisteredHttpAgent,
} from '@app/contracts';
import { HTTP_AGENTS_WORKER_NAME, HttpAgentRepository } from '@app/http-agent-store';
import { AgentDirectory } from '@app/workflow-store';
import { InvalidHttpAgentUrlException } from './invalid-http-agent-url.exception';

/** HTTP agents registered by admins: checked, kept in Redis for the orchestrators, never showing secrets. */
@Injectable()
export class HttpAgentsService {
  private readonly urlPolicy: HttpAgentUrlPolicy;

  constructor(
    private readonly agents: HttpAgentRepository,
    private readonly directory: AgentDirectory,
    config: GatewayConfig,
  ) {
    this.urlPolicy = { allowPrivateNetworks: config.HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS };
  }

  /**
   * Registers an HTTP agent, or replaces the one of that name, once its URL passes the policy and
   * no other kind of worker serves that name. Without a secret in the request one is generated,
   * and shown in this answer only.
   */
  async register(request: RegisterHttpAgentRequest): Promise<RegisteredHttpAgent> {
    await this.checkNameIsFree(request.name);
    const url = await this.checkedUrl(request.url);
    const isSecretGenerated = request.secret === undefined;
    const definition: HttpAgentDefinition = {
      name: request.name,
      version: request.version,
      description: request.description,
      url: url.href,
      secret: request.secret ?? generateHttpAgentSecret(),
      timeoutSeconds: request.timeoutSeconds,
      ...(request.retry ? { retry: retryOverridesOf(request.retry) } : {}),
    };
    await this.agents.save(definition);
    return { ...summaryOf(definition), ...(isSecretGenerated ? { secret: definition.secret } : {}) };
  }

  async list(): Promise<HttpAgentSummary[]> {
    return (await this.agents.list()).map(summaryOf);
  }

  async get(name: string): Promise<HttpAgentSummary> {
    const definition = await this.agents.get(name);
    if (!definition) throw notRegistered(name);
    return summaryOf(definition);
  }

  async remove(name: string): Promise<void> {
    if (!(await this.agents.remove(name))) throw notRegistered(name);
  }

  /**
   * 409 when a worker other than the orchestrators' HTTP-agent workers serves an agent of that
   * name, or did within the hour (an agent service being redeployed): its steps and the HTTP
   * agent's would share a queue, each worker running the others' steps.
   */
  private async checkNameIsFree(name: string): Promise<void> {
    const servers = (await this.directory.workers()).filter(
      (worker) =>
        worker.name !== HTTP_AGENTS_WORKER_NAME && worker.agents.some((agent) => agent.name === name),
    );
    if (servers.length === 0) return;
    const names = [...new Set(servers.map((worker) => worker.name))].join(', ');
    throw new ConflictException(
      `agent ${name} is already served by worker(s) ${names}, not as an HTTP agent; choose another name`,
    );
  }

  private async checkedUrl(url: string): Promise<URL> {
    try {
      return await checkHttpAgentUrl(url, this.urlPolicy);
    } catch (error) {
      if (error instanceof HttpAgentUrlRefusedError) throw new InvalidHttpAgentUrlException(error.message);
      // Anything else comes from the resolver: the host has no address we could check.
      const code = (error as { code?: unknown }).code;
      throw new InvalidHttpAgentUrlException(
        `url host ${new URL(url).hostname} could not be resolved${typeof code === 'string' ? ` (${code})` : ''}`,
      );
    }
  }
}

function summaryOf({ secret, ...published }: HttpAgentDefinition): HttpAgentSummary {
  return { ...published, hasSecret: secret !== '' };
}

/**
 * The request's overrides as an agent descriptor holds them, as plain JSON. `maxRetries` may name
 * only some kinds: `mergeRetryConfig` lays it over the default per kind.
 */
function retryOverridesOf(retry: HttpAgentRetryOverrides): Partial<RetryConfig> {
  return JSON.parse(JSON.stringify(retry)) as Partial<RetryConfig>;
}

function notRegistered(name: string): NotFoundException {
  return new NotFoundException(`HTTP agent ${name} is not registered`);
}
