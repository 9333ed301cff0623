import { ConfigurationError } from './configuration-error';
import { loadConfig } from './load-config';
import { OrchestratorConfig } from './orchestrator.config';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('FLOW_CONTROL_LIMITS at boot', () => {
  it('is read when it makes sense', () => {
    const json =
      '{"agent:content/provider":{"rate":{"requests":5,"periodSeconds":1}},"workflow:CREATE_SITE/sites":"off"}';
    expect(loadConfig(OrchestratorConfig, { ...REDIS, FLOW_CONTROL_LIMITS: json }).FLOW_CONTROL_LIMITS).toBe(
      json,
    );
    expect(loadConfig(OrchestratorConfig, REDIS).FLOW_CONTROL_LIMITS).toBeUndefined();
  });

  it.each([
    [
      '{"agent:content/provider":{"rate":{"requests":-2,"periodSeconds":1}}}',
      'rate.requests must be a number above 0, not -2',
    ],
    [
      '{"agent:content/provider":{"rate":{"requests":2,"periodSeconds":0}}}',
      'rate.periodSeconds must be a number above 0, not 0',
    ],
    [
      '{"agent:content/provider":{"concurrency":{"slots":1.5}}}',
      'concurrency.slots must be an integer above 0, not 1.5',
    ],
    ['{"agent:content/provider":{"slots":2}}', 'has unknown field(s) slots'],
    [
      '{"content/provider":"off"}',
      '"content/provider" is not agent:<name>/<limit> or workflow:<TYPE>/<limit>',
    ],
    ['{"agent:content/provider":{}}', 'sets neither rate nor concurrency'],
    ['not json', 'is not JSON'],
  ])('stops the service on %s, naming the variable and the problem', (json, message) => {
    const load = () => loadConfig(OrchestratorConfig, { ...REDIS, FLOW_CONTROL_LIMITS: json });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow('FLOW_CONTROL_LIMITS');
    expect(load).toThrow(message);
  });
});
