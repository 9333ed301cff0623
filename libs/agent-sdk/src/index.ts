export * from './agent';
export * from './agent-errors';
export * from './revision-requested';
export * from './cpu';
export * from './retry-policy';
export * from './run-time-require';
export * from './spans';
// AgentContext.log takes a LogLevel: an agent written outside this repository gets it from here.
// From the enums alone: the contracts' index loads the DTO classes, whose decorators need
// reflect-metadata, which a CPU-pool thread loading a task module does not have.
export { LogLevel } from '@app/contracts/enums';
export * from './llm';
export * from './dependency-breakers';
// Types the public API names (the LLM client's limiter and settings): re-exported so that a
// package built from this SDK declares them, instead of pointing into a private chunk.
export type { FlowControlRedis, LlmLimit, LlmLimits } from '@app/flow-control';
