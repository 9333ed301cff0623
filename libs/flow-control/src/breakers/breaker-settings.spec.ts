import {
  BreakerSettingsError,
  DEFAULT_BREAKER_SETTINGS,
  breakerSettingsOf,
  parseBreakerConfiguration,
} from './breaker-settings';

describe('parseBreakerConfiguration (CIRCUIT_BREAKERS)', () => {
  it('reads defaults for every dependency and overrides with a fallback for one', () => {
    expect(
      parseBreakerConfiguration(
        '{"*":{"coolDownMs":10000},"llm:openai:gpt-4o":{"failureThreshold":3,"fallback":"llm:openai:gpt-4o-mini"}}',
      ),
    ).toEqual({
      '*': { coolDownMs: 10000 },
      'llm:openai:gpt-4o': { failureThreshold: 3, fallback: 'llm:openai:gpt-4o-mini' },
    });
  });

  it('reads nothing set as no overrides', () => {
    expect(parseBreakerConfiguration(undefined)).toEqual({});
    expect(parseBreakerConfiguration('  ')).toEqual({});
  });

  it.each([
    ['not JSON', '{coolDownMs:1}', 'CIRCUIT_BREAKERS is not JSON'],
    ['a list', '[]', 'CIRCUIT_BREAKERS must be a JSON object keyed by dependency name'],
    [
      'a negative number',
      '{"*":{"coolDownMs":-5}}',
      'CIRCUIT_BREAKERS["*"].coolDownMs must be an integer from 1 to 86400000, not -5',
    ],
    [
      'a fraction where a count is meant',
      '{"x":{"failureThreshold":2.5}}',
      'CIRCUIT_BREAKERS["x"].failureThreshold must be an integer',
    ],
    [
      'an error rate above 1',
      '{"x":{"errorRateThreshold":1.5}}',
      'CIRCUIT_BREAKERS["x"].errorRateThreshold must be a number from 0.01 to 1, not 1.5',
    ],
    [
      'a number written as a string',
      '{"x":{"windowMs":"60000"}}',
      'CIRCUIT_BREAKERS["x"].windowMs must be an integer from 100 to 86400000, not "60000"',
    ],
    [
      'an unknown key',
      '{"x":{"cooldown":1}}',
      'CIRCUIT_BREAKERS["x"] has an unknown key "cooldown" (known: failureThreshold',
    ],
    ['a dependency name with a brace', '{"a{b}":{}}', 'CIRCUIT_BREAKERS: "a{b}" cannot name a dependency'],
    [
      'settings that are not an object',
      '{"x":5}',
      'CIRCUIT_BREAKERS["x"] must be an object of breaker settings',
    ],
    ['a fallback for every dependency', '{"*":{"fallback":"y"}}', 'CIRCUIT_BREAKERS["*"].fallback'],
    [
      'a fallback that is no name',
      '{"x":{"fallback":"a b"}}',
      'CIRCUIT_BREAKERS["x"].fallback: "a b" cannot name a dependency',
    ],
  ])('refuses %s with a clear error', (_what, json, message) => {
    expect(() => parseBreakerConfiguration(json)).toThrow(BreakerSettingsError);
    expect(() => parseBreakerConfiguration(json)).toThrow(message);
  });
});

describe('breakerSettingsOf', () => {
  it('takes the defaults, then the descriptor, then the deployment (the operator has the last word)', () => {
    const settings = breakerSettingsOf('payments-api', {
      declared: { 'payments-api': { failureThreshold: 2, coolDownMs: 5000 } },
      configured: { '*': { coolDownMs: 7000, halfOpenProbes: 3 }, 'payments-api': { halfOpenProbes: 4 } },
    });
    expect(settings).toEqual({
      ...DEFAULT_BREAKER_SETTINGS,
      failureThreshold: 2,
      coolDownMs: 7000,
      halfOpenProbes: 4,
    });
  });

  it('is the defaults for a dependency nobody configured', () => {
    expect(breakerSettingsOf('http:x.example.com', {})).toEqual(DEFAULT_BREAKER_SETTINGS);
  });
});
