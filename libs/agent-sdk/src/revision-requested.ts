import { AgentError, ErrorKind } from './agent-errors';

/**
 * Thrown by the agent of a step that checks earlier work (a step whose workflow definition
 * declares `revise: { step, maxIterations }`) when that work is not good enough: instead of
 * failing, the workflow sends it back. The step named by `revise` runs again and reads
 * `context.feedback` (`{ from, iteration, maxIterations, feedback }`), the steps between it and
 * the checker run again after it, then the checker checks anew. On the loop's last iteration the
 * request fails the workflow: "audit still failing after 3 iterations: <summary>".
 *
 * Thrown by a step that declares no `revise`, it fails the step as a validation error would
 * (no retry changes a definition).
 *
 * @example
 * if (report.score < threshold)
 *   throw new RevisionRequested(`score ${report.score} < ${threshold}: ${report.findings.length} findings`, {
 *     findings: report.findings,
 *   });
 */
export class RevisionRequested extends AgentError {
  override name = 'RevisionRequested';

  constructor(
    /** One line saying why, for the workflow's log and, at the bound, its error. */
    readonly summary: string,
    /** What the step sent back reads as `context.feedback.feedback`: anything JSON-serialisable. */
    readonly feedback: unknown = summary,
  ) {
    super(ErrorKind.Revision, summary);
  }
}

/** True for a {@link RevisionRequested}, also one thrown by another copy of this library. */
export function isRevisionRequested(error: unknown): error is RevisionRequested {
  return (
    error instanceof RevisionRequested ||
    (error instanceof Error && error.name === 'RevisionRequested' && 'summary' in error)
  );
}
