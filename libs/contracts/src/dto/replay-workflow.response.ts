import { WorkflowReplayOrigin } from '../workflow-state';

/** The answer to `POST /workflows/:id/replay` (202): the new workflow is recorded and queued. */
export class ReplayWorkflowResponse {
  /** The new workflow, which runs from `replayOf.fromStep`. */
  workflowId!: string;
  replayOf!: WorkflowReplayOrigin;
  /** The steps whose recorded outputs the new workflow reuses instead of running them. */
  reusedSteps!: string[];
}
