import { Injectable, NotFoundException } from '@nestjs/common';
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
import { HttpAgentRepository } from '@app/http-agent-store';
import { InvalidHttpAgentUrlException } from './invalid-http-agent-url.exception';

/** HTTP agents registered by admins: checked, kept in Redis for the orchestrators, never showing secrets. */
@Injectable()
export class HttpAgentsService {
  private readonly urlPolicy: HttpAgentUrlPolicy;

  constructor(
    private readonly agents: HttpAgentRepository,
    config: GatewayConfig,
  ) {
    this.urlPolicy = { allowPrivateNetworks: config.HTTP_AGENTS_ALLOW_PRIVATE_NETWORKS };
  }

  /**
   * Registers an HTTP agent, or replaces the one of that name, once its URL passes the policy.
   * Without a secret in the request one is generated, and shown in this answer only.
   */
  async register(request: RegisterHttpAgentRequest): Promise<RegisteredHttpAgent> {
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
