export * from './breaker-keys';
export * from './breaker-settings';
export * from './breaker-store';
