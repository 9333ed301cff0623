/** The answer to `POST /workflows` (202): the workflow is recorded and queued, not yet run. */
export class StartWorkflowResponse {
  /** Follow it with `GET /workflows/:id`, its events, or Socket.IO's `workflow.subscribe`. */
  workflowId!: string;
}
