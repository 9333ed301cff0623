export * from './llm-limit-settings';
export * from './llm-limiter';
