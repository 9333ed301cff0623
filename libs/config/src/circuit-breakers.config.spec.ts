import { ConfigurationError } from './configuration-error';
import { loadConfig } from './load-config';
import { OrchestratorConfig } from './orchestrator.config';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('CIRCUIT_BREAKERS at boot', () => {
  it('is read when it makes sense', () => {
    const json = '{"*":{"coolDownMs":10000},"llm:openai:gpt-4o":{"fallback":"llm:openai:gpt-4o-mini"}}';
    expect(loadConfig(OrchestratorConfig, { ...REDIS, CIRCUIT_BREAKERS: json }).CIRCUIT_BREAKERS).toBe(json);
    expect(loadConfig(OrchestratorConfig, REDIS).CIRCUIT_BREAKERS).toBeUndefined();
  });

  it.each([
    [
      '{"payments-api":{"coolDownMs":-1}}',
      '["payments-api"].coolDownMs must be an integer from 1 to 86400000, not -1',
    ],
    ['{"*":{"probes":2}}', '["*"] has an unknown key "probes"'],
    ['not json', 'is not JSON'],
  ])('stops the service on %s, naming the variable and the setting', (json, message) => {
    const load = () => loadConfig(OrchestratorConfig, { ...REDIS, CIRCUIT_BREAKERS: json });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow('CIRCUIT_BREAKERS');
    expect(load).toThrow(message);
  });
});
