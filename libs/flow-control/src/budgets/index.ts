export * from './budget-admission-check';
export * from './budget-settings';
export * from './budget-store';
export * from './budgeted-subjects';
