export { createAgentWorker } from './agent-worker';
export type { AgentWorker, AgentWorkerOptions } from './agent-worker';
export { WorkflowHooks } from './workflow-hooks';
export type { WorkflowHookEvents } from './workflow-hooks';
export { consoleLogger } from './worker-logger';
export type { WorkerLogger } from './worker-logger';
