// Not the library's index, which loads the contracts' DTOs: CPU-pool threads load this module too.
import { LlmLimits, parseLlmLimits } from '@app/flow-control/llm-limit-settings';
import { RetryConfig } from '../retry-policy';
import { LlmPriceTable } from './llm-price-table';

/** Where an agent's calls go: the offline rules, or an OpenAI-compatible server. */
export type LlmProviderSettings =
  | { provider: 'offline' }
  | {
      provider: 'openai-compatible';
      /** Up to and including the API version (`https://api.openai.com/v1`). */
      baseUrl: string;
      model: string;
      /** A bearer token; never logged. */
      apiKey?: string;
    };

/** How a worker's agents reach language models (`createAgentWorker({ llm })`). */
export interface LlmSettings {
  /** Every agent's provider unless `agents` names its own. Default: offline. */
  default?: LlmProviderSettings;
  /** Providers by agent name. */
  agents?: Readonly<Record<string, LlmProviderSettings>>;
  /** Prices over the defaults ({@link DEFAULT_LLM_PRICES}), by model. */
  prices?: LlmPriceTable;
  /**
   * Requests and tokens per period by `llm:<provider>:<model>`, shared by every worker (when the
   * worker has Redis): a call waits for its model's limit before it is sent.
   */
  limits?: LlmLimits;
  /** Retries of one call (rate limits, overloads, network); defaults to the SDK's retry policy. */
  retry?: RetryConfig;
  /** Time limit of one HTTP call. Default 60 s. */
  requestTimeoutMs?: number;
  /** Injected in tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

/** The environment variables that choose the language models (see docs/configuration.md). */
export interface LlmEnvironment {
  LLM_BASE_URL?: string;
  LLM_MODEL?: string;
  LLM_API_KEY?: string;
  /** JSON: `{ "<agent>": "offline" | { "baseUrl"?, "model"?, "apiKey"? } }`, over the defaults above. */
  LLM_AGENTS?: string;
  /** JSON: `{ "<model>": { "prompt": <USD per million>, "completion": <USD per million> } }`. */
  LLM_PRICES?: string;
  /** JSON: `{ "llm:<provider>:<model>": { requests?, tokens?, periodSeconds?, burst?, defaultMaxTokens? } }`. */
  LLM_LIMITS?: string;
}

/** What `LLM_AGENTS` may say of one agent. */
type AgentEntry = 'offline' | { baseUrl?: unknown; model?: unknown; apiKey?: unknown };

/**
 * The settings the environment describes: an OpenAI-compatible server for every agent when
 * `LLM_BASE_URL` is set (with `LLM_MODEL`), else the offline rules; `LLM_AGENTS` changes the
 * provider, model or key of single agents, `LLM_PRICES` the prices, `LLM_LIMITS` the models'
 * shared request and token limits. Throws an Error naming the
 * variable (never its secret values) when a value cannot work; libs/config checks the same at boot.
 */
export function llmSettingsFromEnvironment(env: LlmEnvironment): LlmSettings {
  const baseUrl = env.LLM_BASE_URL?.trim() || undefined;
  const model = env.LLM_MODEL?.trim() || undefined;
  const apiKey = env.LLM_API_KEY?.trim() || undefined;
  if (baseUrl && !model) throw new Error('LLM_BASE_URL is set but LLM_MODEL is not: name the model to call');
  const defaults: LlmProviderSettings =
    baseUrl && model ? { provider: 'openai-compatible', baseUrl, model, apiKey } : { provider: 'offline' };
  const agents: Record<string, LlmProviderSettings> = {};
  for (const [agent, entry] of Object.entries(parseJsonObject('LLM_AGENTS', env.LLM_AGENTS))) {
    agents[agent] = agentSettings(agent, entry as AgentEntry, defaults);
  }
  const prices: Record<string, { prompt: number; completion: number }> = {};
  for (const [name, price] of Object.entries(parseJsonObject('LLM_PRICES', env.LLM_PRICES))) {
    const { prompt, completion } = (price ?? {}) as { prompt?: unknown; completion?: unknown };
    if (!isPrice(prompt) || !isPrice(completion)) {
      throw new Error(
        `LLM_PRICES: ${name} needs "prompt" and "completion", in USD per million tokens (0 or more)`,
      );
    }
    prices[name] = { prompt, completion };
  }
  return { default: defaults, agents, prices, limits: parseLlmLimits(env.LLM_LIMITS) };
}

function agentSettings(agent: string, entry: AgentEntry, defaults: LlmProviderSettings): LlmProviderSettings {
  if (entry === 'offline') return { provider: 'offline' };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new Error(`LLM_AGENTS: ${agent} must be "offline" or an object with baseUrl, model or apiKey`);
  }
  const inherited = defaults.provider === 'openai-compatible' ? defaults : undefined;
  const baseUrl = stringOf(agent, 'baseUrl', entry.baseUrl) ?? inherited?.baseUrl;
  const model = stringOf(agent, 'model', entry.model) ?? inherited?.model;
  const apiKey = stringOf(agent, 'apiKey', entry.apiKey) ?? inherited?.apiKey;
  if (!baseUrl || !/^https?:\/\//.test(baseUrl)) {
    throw new Error(`LLM_AGENTS: ${agent} needs an http(s) baseUrl (or LLM_BASE_URL)`);
  }
  if (!model) throw new Error(`LLM_AGENTS: ${agent} needs a model (or LLM_MODEL)`);
  return { provider: 'openai-compatible', baseUrl, model, apiKey };
}

function stringOf(agent: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`LLM_AGENTS: ${agent}.${field} must be a non-empty string`);
  }
  return value.trim();
}

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function parseJsonObject(variable: string, text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The text may hold keys: say where it is wrong, not what it says.
    throw new Error(`${variable} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${variable} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
