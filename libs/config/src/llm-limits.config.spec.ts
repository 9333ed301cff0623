import { ConfigurationError } from './configuration-error';
import { loadConfig } from './load-config';
import { OrchestratorConfig } from './orchestrator.config';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('LLM_LIMITS at boot', () => {
  it('is read when it makes sense', () => {
    const json = '{"llm:openai-compatible:gpt-4o":{"requests":500,"tokens":30000,"defaultMaxTokens":512}}';
    expect(loadConfig(OrchestratorConfig, { ...REDIS, LLM_LIMITS: json }).LLM_LIMITS).toBe(json);
    expect(loadConfig(OrchestratorConfig, REDIS).LLM_LIMITS).toBeUndefined();
  });

  it.each([
    [
      '{"llm:openai-compatible:gpt-4o":{"tokens":-5}}',
      'llm:openai-compatible:gpt-4o.tokens must be a number above 0',
    ],
    ['{"gpt-4o":{"requests":5}}', '"gpt-4o" must name a model as llm:<provider>:<model>'],
    ['{"llm:openai-compatible:gpt-4o":{"tpm":5}}', 'llm:openai-compatible:gpt-4o.tpm is unknown'],
    ['not json', 'is not valid JSON'],
  ])('stops the service on %s, naming the variable and the problem', (json, message) => {
    const load = () => loadConfig(OrchestratorConfig, { ...REDIS, LLM_LIMITS: json });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow('LLM_LIMITS');
    expect(load).toThrow(message);
  });

  it('is not blamed on LLM_AGENTS or LLM_PRICES', () => {
    const load = () =>
      loadConfig(OrchestratorConfig, { ...REDIS, LLM_PRICES: '{}', LLM_AGENTS: '{}', LLM_LIMITS: '{"x":1}' });
    expect(load).toThrow('LLM_LIMITS');
    expect(load).not.toThrow('LLM_AGENTS');
    expect(load).not.toThrow('LLM_PRICES');
  });
});
