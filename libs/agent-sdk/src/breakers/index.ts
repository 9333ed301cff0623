export * from './breaker-admission-check';
export * from './breaker-metrics';
export * from './breaker-outcome';
export * from './circuit-breakers';
export * from './circuit-breakers.factory';
