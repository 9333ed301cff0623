export * from './agent';
export * from './agent-errors';
export * from './cpu';
export * from './retry-policy';
export * from './run-time-require';
