import { LlmClient } from './llm.client';
import { OfflineLlmClient } from './offline-llm.client';
import { OpenAiCompatibleLlmClient } from './open-ai-compatible-llm.client';

/** The environment variables that choose a language model. */
export interface LlmEnvironment {
  LLM_BASE_URL?: string;
  LLM_MODEL?: string;
  LLM_API_KEY?: string;
}

/**
 * An OpenAI-compatible client when `LLM_BASE_URL` is set (with `LLM_MODEL`, required, and
 * `LLM_API_KEY`, optional); otherwise the offline rules provider.
 */
export function createLlmClientFromEnv(env: LlmEnvironment): LlmClient {
  const baseUrl = env.LLM_BASE_URL?.trim();
  if (!baseUrl) return new OfflineLlmClient();
  const model = env.LLM_MODEL?.trim();
  if (!model) throw new Error('LLM_BASE_URL is set but LLM_MODEL is not: name the model to call');
  return new OpenAiCompatibleLlmClient({ baseUrl, model, apiKey: env.LLM_API_KEY?.trim() || undefined });
}
