export * from './queues.module';
export * from './redis.health';
export * from './redis.module';
