export * from './agent';
export * from './agent-errors';
export * from './cpu';
export * from './retry-policy';
export * from './run-time-require';
// AgentContext.log takes a LogLevel: an agent written outside this repository gets it from here.
export { LogLevel } from '@app/contracts';
