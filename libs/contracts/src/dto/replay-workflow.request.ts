import { IsObject, IsOptional, Matches } from 'class-validator';
import { STEP_ID_PATTERN } from '../workflow-definition';

/** Body of `POST /workflows/:id/replay`. */
export class ReplayWorkflowRequest {
  /**
   * The step to run again. It and every step that depends on it, directly or not, run in the new
   * workflow; the other steps keep the outputs the original recorded and are not run.
   */
  @Matches(STEP_ID_PATTERN, { message: 'fromStep must be a step id (kebab-case)' })
  fromStep!: string;

  /**
   * Fields that replace the same top-level fields of the original's input (a shallow merge: a
   * field not given keeps its value). The steps that run again, from `fromStep` on, see the
   * merged input; the reused steps' outputs were made from the original's. Checked against the
   * type's input schema like a new workflow's (422).
   */
  @IsOptional()
  @IsObject()
  input?: Record<string, unknown>;
}
