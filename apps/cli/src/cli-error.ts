/**
 * Exit codes, one per kind of mistake a person can make, so a script can tell them apart.
 * 1 is kept for "the workflow did not complete"; 2 is usage, as for most Unix tools.
 */
export enum ExitCode {
  Ok = 0,
  WorkflowNotCompleted = 1,
  /** Wrong arguments or filter, or the gateway refused the request as invalid (400/422). */
  Usage = 2,
  NoKey = 3,
  /** No gateway answers at the URL. */
  Unreachable = 4,
  /** The key was refused (401) or may not do this (403). */
  Unauthorized = 5,
  NotFound = 6,
  /** The workflow is not in a state for this (409): cancelling an ended one, retrying one not FAILED. */
  Conflict = 7,
  /** The gateway failed (5xx) or answered something unexpected. */
  GatewayError = 8,
  /** Ctrl-C. */
  Interrupted = 130,
}

/** A failure to report as one line on stderr, ending the CLI with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
