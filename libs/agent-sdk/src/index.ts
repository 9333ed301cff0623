export * from './agent';
export * from './agent-errors';
export * from './cpu';
export * from './retry-policy';
export * from './run-time-require';
// AgentContext.log takes a LogLevel: an agent written outside this repository gets it from here.
// From the enums alone: the contracts' index loads the DTO classes, whose decorators need
// reflect-metadata, which a CPU-pool thread loading a task module does not have.
export { LogLevel } from '@app/contracts/enums';
