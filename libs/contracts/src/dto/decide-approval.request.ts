import { IsObject, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * Body of `POST /workflows/:id/steps/:stepId/approve` and `.../reject` (both optional). An
 * approval's `payload` becomes the step's output (an edited plan, say); without one the output is
 * `{ approved: true, by, comment }`. A rejection takes a comment only.
 */
export class DecideApprovalRequest {
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;

  /** Why: logged with the decision; a rejection's is part of the workflow's error. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}
