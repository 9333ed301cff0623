export * from './workflow-graph';
export * from './workflow-store';
