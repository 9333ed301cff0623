import { Agent } from '@app/agent-sdk';
import { BUILT_IN_WORKFLOWS } from '../website-workflows.definition';
import { TestContext, createTestContext } from './agent-context.fixture';

export interface WorkflowRun {
  outputs: Record<string, unknown>;
  contexts: Record<string, TestContext>;
}

/**
 * Runs a built-in workflow's steps in dependency order by calling the agents directly, handing
 * each step the outputs of all its ancestors, as the engine does. Stops at the first throw.
 */
export async function runWorkflow(
  agents: Agent[],
  workflow: {
    type: string;
    sessionId: string;
    input: Record<string, unknown>;
    preferences?: Record<string, unknown>;
    workflowId?: string;
  },
): Promise<WorkflowRun> {
  const definition = BUILT_IN_WORKFLOWS.find((candidate) => candidate.type === workflow.type);
  if (!definition) throw new Error(`unknown workflow ${workflow.type}`);
  const byName = new Map(agents.map((agent) => [agent.descriptor.name, agent]));
  const outputs: Record<string, unknown> = {};
  const contexts: Record<string, TestContext> = {};
  const workflowId = workflow.workflowId ?? `workflow-${Math.random().toString(36).slice(2)}`;
  const ancestors = (stepId: string): string[] => {
    const step = definition.steps.find((candidate) => candidate.id === stepId)!;
    return [...new Set(step.dependsOn.flatMap((parent) => [parent, ...ancestors(parent)]))];
  };
  const done = new Set<string>();
  while (done.size < definition.steps.length) {
    const ready = definition.steps.filter(
      (step) => !done.has(step.id) && step.dependsOn.every((parent) => done.has(parent)),
    );
    for (const step of ready) {
      const agent = byName.get(step.agent);
      if (!agent) throw new Error(`no agent ${step.agent}`);
      const context = createTestContext({
        workflowId,
        workflowType: workflow.type,
        stepId: step.id,
        sessionId: workflow.sessionId,
        input: workflow.input,
        preferences: workflow.preferences ?? {},
        dependencies: Object.fromEntries(ancestors(step.id).map((id) => [id, outputs[id]])),
      });
      contexts[step.id] = context;
      // Outputs cross a queue and a database in production: prove they survive JSON.
      outputs[step.id] = JSON.parse(JSON.stringify(await agent.execute(context)));
      done.add(step.id);
    }
  }
  return { outputs, contexts };
}
