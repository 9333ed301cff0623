export * from './redis.health';
export * from './redis.module';
