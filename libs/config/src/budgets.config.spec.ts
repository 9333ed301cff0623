import { ConfigurationError } from './configuration-error';
import { GatewayConfig } from './gateway.config';
import { loadConfig } from './load-config';
import { OrchestratorConfig } from './orchestrator.config';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };
const GATEWAY = {
  ...REDIS,
  DATABASE_URL: 'postgres://127.0.0.1:5432/test',
  BOOTSTRAP_ADMIN_KEY: 'a-bootstrap-admin-key-of-some-length',
};

describe('BUDGETS at boot', () => {
  it('is read by the orchestrator and the gateway when it makes sense', () => {
    const json = '{"tenantDaily":{"tokens":100000,"costUsd":2.5},"agentDaily":{"costUsd":10}}';
    expect(loadConfig(OrchestratorConfig, { ...REDIS, BUDGETS: json }).BUDGETS).toBe(json);
    expect(loadConfig(GatewayConfig, { ...GATEWAY, BUDGETS: json }).BUDGETS).toBe(json);
    expect(loadConfig(OrchestratorConfig, REDIS).BUDGETS).toBeUndefined();
  });

  it.each([
    [
      '{"tenantDaily":{"tokens":-1}}',
      'BUDGETS (got "{"tenantDaily":{"tokens":-1}}") tenantDaily.tokens must be a number of 0 or more; got -1',
    ],
    ['{"tenantDaily":{"tokens":1.5}}', 'tenantDaily.tokens must be a whole number; got 1.5'],
    [
      '{"perTenant":{"tokens":1}}',
      'BUDGETS (got "{"perTenant":{"tokens":1}}") has an unknown key "perTenant" (known: tenantDaily, agentDaily)',
    ],
    ['{"agentDaily":{"dollars":1}}', 'agentDaily has an unknown key "dollars" (known: tokens, costUsd)'],
    ['not json', 'BUDGETS (got "not json") must be JSON'],
  ])('stops the service on %s, naming the variable and the setting', (json, message) => {
    const load = () => loadConfig(OrchestratorConfig, { ...REDIS, BUDGETS: json });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(message);
  });
});
