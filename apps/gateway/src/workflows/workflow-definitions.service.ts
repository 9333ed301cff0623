import { Injectable } from '@nestjs/common';
import { BUILT_IN_WORKFLOWS, WorkflowDefinition } from '@app/contracts';
import { WorkflowGraph, compileWorkflowGraph } from '@app/workflow-store';

/**
 * The workflow types clients may start, compiled once. A workflow's graph is frozen into its
 * state when it is created, so changing a definition never disturbs running workflows.
 */
@Injectable()
export class WorkflowDefinitions {
  private readonly graphs = new Map<string, WorkflowGraph>();

  constructor() {
    // Agent names of built-ins are checked by the orchestrator that runs them.
    for (const definition of BUILT_IN_WORKFLOWS) this.graphs.set(definition.type, compileWorkflowGraph(definition, () => true));
  }

  graphOf(type: string): WorkflowGraph | undefined {
    return this.graphs.get(type);
  }

  types(): string[] {
    return [...this.graphs.keys()];
  }

  list(): readonly WorkflowDefinition[] {
    return BUILT_IN_WORKFLOWS;
  }
}
