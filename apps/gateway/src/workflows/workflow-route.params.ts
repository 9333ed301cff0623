import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';
import { STEP_ID_PATTERN } from '@app/contracts';

/** The 404 of every route on one workflow: another tenant's is answered as if it did not exist. */
export const WORKFLOW_NOT_FOUND = 'No such workflow, or one of another tenant (answered alike).';

/** The `:id` (or `:otherId`) of a route on one workflow. */
export const workflowIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestException('workflow id must be a UUID'),
});

/** A route's `:stepId`: kebab-case, as definitions require. */
export function checkStepId(stepId: string): string {
  if (!STEP_ID_PATTERN.test(stepId)) throw new BadRequestException('stepId must be a step id (kebab-case)');
  return stepId;
}
