import { createAgentWorker } from './agent-worker';

describe('createAgentWorker', () => {
  it('refuses an agent whose declared limits are wrong, naming the agent, the limit and the problem', () => {
    const create = () =>
      createAgentWorker({
        // Never reached: the agents are checked before any connection is made.
        redisUrl: 'redis://127.0.0.1:1',
        prefix: 'unused',
        agents: [
          {
            descriptor: {
              name: 'content',
              version: '1.0.0',
              description: 'x',
              limits: [
                {
                  name: 'provider',
                  key: ['agent', 'region' as never],
                  rate: { requests: -1, periodSeconds: 1 },
                },
              ],
            },
            execute: () => Promise.resolve(null),
          },
        ],
      });
    expect(create).toThrow(
      'agent content: limit "provider": key field "region" is unknown (use agent, tenant, workflowType, model or input.<path>); limit "provider": rate.requests must be a number above 0, not -1',
    );
  });
});
