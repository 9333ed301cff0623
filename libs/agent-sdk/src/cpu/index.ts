export * from './cpu-pool';
export * from './cpu-pool.factory';
export * from './cpu-task';
export { InlineCpuPool } from './inline-cpu-pool';
