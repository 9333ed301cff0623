export { createAgentWorker } from './agent-worker';
export type { AgentWorker, AgentWorkerOptions } from './agent-worker';
export { WorkflowHooks } from './workflow-hooks';
export type { WorkflowHookEvents } from './workflow-hooks';
export { consoleLogger } from './worker-logger';
export type { WorkerLogger } from './worker-logger';
// The circuit breakers: what an agent or a client calls a dependency through (guard, resolve).
export * from '../breakers';
// Types the worker's options and the breakers name, declared by the package as well.
export type { BreakerConfiguration, BreakerOutcome } from '@app/flow-control';
export type { StepLimit } from '@app/contracts';
