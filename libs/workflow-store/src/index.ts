export * from './output-reference';
export * from './workflow-graph';
export * from './workflow-store';
export * from './workflow-store.module';
export * from './step-queues';
export * from './agent-directory';
