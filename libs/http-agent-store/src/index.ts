export * from './http-agent.repository';
export * from './http-agent-store.module';
export * from './http-agent-workers';
