export * from './bootstrap';
export * from './health.controller';
export * from './heap-growth';
export * from './metrics.controller';
export * from './observability.module';
export * from './postgres.health';
export * from './event-loop.health';
