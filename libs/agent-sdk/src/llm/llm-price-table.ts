/** What a model costs, in US dollars per million tokens. */
export interface LlmModelPrice {
  prompt: number;
  completion: number;
}

/** Prices by model name. */
export type LlmPriceTable = Readonly<Record<string, LlmModelPrice>>;

/**
 * List prices of a few well-known models (USD per million tokens, as published in 2026);
 * `LLM_PRICES` overrides or extends them. A model in neither costs 0, and says so in the usage.
 */
export const DEFAULT_LLM_PRICES: LlmPriceTable = {
  'gpt-4o': { prompt: 2.5, completion: 10 },
  'gpt-4o-mini': { prompt: 0.15, completion: 0.6 },
  'gpt-4.1': { prompt: 2, completion: 8 },
  'gpt-4.1-mini': { prompt: 0.4, completion: 1.6 },
  'claude-sonnet-4': { prompt: 3, completion: 15 },
  'claude-haiku-4': { prompt: 1, completion: 5 },
  offline: { prompt: 0, completion: 0 },
};

/**
 * The price of `model`: its own entry, else the longest entry it starts with, since providers
 * answer with dated names (`gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`). Null when unknown.
 */
export function priceOf(table: LlmPriceTable, model: string): LlmModelPrice | null {
  const exact = table[model];
  if (exact) return exact;
  const prefix = Object.keys(table)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? table[prefix] : null;
}

/** The cost of a call in US dollars; 0 for a model with no price. */
export function costOf(
  table: LlmPriceTable,
  model: string,
  usage: { promptTokens: number; completionTokens: number },
): number {
  const price = priceOf(table, model);
  if (!price) return 0;
  return (usage.promptTokens * price.prompt + usage.completionTokens * price.completion) / 1_000_000;
}
