export * from './data-source-options';
export * from './log-entries.repository';
export * from './log-entry.entity';
export * from './migrate';
export * from './persistence.module';
