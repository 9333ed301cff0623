/** One node of a workflow graph: an agent run once, after the steps it depends on. */
export class StepDefinition {
  /** Unique within the workflow; later steps read this step's output under this id. */
  id!: string;
  /** A registered agent name. */
  agent!: string;
  dependsOn!: string[];
}

/** A workflow type as a graph of agent steps. Steps whose dependencies are met run in parallel. */
export class WorkflowDefinition {
  type!: string;
  description!: string;
  steps!: StepDefinition[];
  /**
   * A JSON Schema (draft-07) of the workflow's `input`, checked before the workflow is recorded:
   * an input it refuses is answered 422 and never reaches an agent. Without one, any object is
   * accepted and the agents check what they read.
   */
  inputSchema?: Record<string, unknown>;
  /**
   * Other names a client may give a field of the input, as `{ alias: field }`. The alias is
   * renamed to the field before the input is checked and recorded; both given with different
   * values is refused.
   */
  inputAliases?: Record<string, string>;
}
