/** The answer to `GET /workflows/:id/outputs/:stepId`: a step's output in full. */
export class StepOutputResponse {
  stepId!: string;
  /** Whatever the step's agent returned (JSON). */
  output!: unknown;
}
