export * from './bootstrap';
export * from './health.controller';
export * from './metrics.controller';
export * from './observability.module';
export * from './postgres.health';
export * from './event-loop.health';
