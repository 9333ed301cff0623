export * from './agent';
export * from './agent-errors';
export * from './retry-policy';
