/** The built-in workflow types of the website builder. */
export enum WorkflowType {
  CreateSite = 'CREATE_SITE',
  UpdateSite = 'UPDATE_SITE',
  AuditOnly = 'AUDIT_ONLY',
  DeployOnly = 'DEPLOY_ONLY',
}

/** Where a workflow is in its life. COMPLETED, FAILED and CANCELLED are terminal. */
export enum WorkflowStatus {
  Pending = 'PENDING',
  Running = 'RUNNING',
  /**
   * An approval step waits for a person, or a step waits for a spent budget to be raised (other
   * branches may still run); no worker is held for it.
   */
  Waiting = 'WAITING',
  /** Paused by a person: no new step starts; running steps finish and their successors are held. */
  Paused = 'PAUSED',
  Completed = 'COMPLETED',
  Failed = 'FAILED',
  Cancelled = 'CANCELLED',
}

/** The lifecycle of one agent inside one workflow. */
export enum AgentLifecycle {
  Registered = 'REGISTERED',
  Ready = 'READY',
  Executing = 'EXECUTING',
  Completed = 'COMPLETED',
  Failed = 'FAILED',
}

/** Severity of a log entry, lowest first. */
export enum LogLevel {
  Debug = 'debug',
  Info = 'info',
  Warning = 'warning',
  Error = 'error',
}

export const TERMINAL_WORKFLOW_STATUSES: readonly WorkflowStatus[] = [
  WorkflowStatus.Completed,
  WorkflowStatus.Failed,
  WorkflowStatus.Cancelled,
];

/** True when a workflow in this status will never change again. */
export function isTerminalStatus(status: WorkflowStatus): boolean {
  return TERMINAL_WORKFLOW_STATUSES.includes(status);
}
