export * from './function-library';
export * from './queues.module';
export * from './redis-connection';
export * from './redis.health';
export * from './redis.module';
export * from './hash-tag';
