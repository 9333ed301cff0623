export * from './http-agent';
export * from './http-agent.definition';
export * from './http-agent.signature';
export * from './http-agent-url.policy';
export * from './retry-after';
