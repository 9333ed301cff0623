import { Agent, isRevisionRequested } from '@app/agent-sdk';
import { RevisionFeedback } from '@app/contracts';
import { BUILT_IN_WORKFLOWS } from '../website-workflows.definition';
import { TestContext, createTestContext } from './agent-context.fixture';

export interface WorkflowRun {
  outputs: Record<string, unknown>;
  /** Each step's context, of its last run. */
  contexts: Record<string, TestContext>;
  /** How many times each quality loop ran, by its checking step (as in the workflow's metrics). */
  iterations: Record<string, number>;
}

/**
 * Runs a built-in workflow's steps in dependency order by calling the agents directly, handing
 * each step the outputs of all its ancestors, as the engine does. A check's RevisionRequested runs
 * its loop again (the target with `context.feedback`, then every step up to the check) until the
 * loop's bound, as the store does; any other throw stops it.
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
  const iterations: Record<string, number> = {};
  const feedback: Record<string, RevisionFeedback> = {};
  while (done.size < definition.steps.length) {
    const ready = definition.steps.filter(
      (step) => !done.has(step.id) && step.dependsOn.every((parent) => done.has(parent)),
    );
    for (const step of ready) {
      const agent = step.agent === undefined ? undefined : byName.get(step.agent);
      if (!agent) throw new Error(`no agent ${step.agent ?? `for step ${step.id}`}`);
      const context = createTestContext({
        workflowId,
        workflowType: workflow.type,
        stepId: step.id,
        sessionId: workflow.sessionId,
        input: workflow.input,
        preferences: workflow.preferences ?? {},
        dependencies: Object.fromEntries(ancestors(step.id).map((id) => [id, outputs[id]])),
        ...(feedback[step.id] ? { feedback: feedback[step.id] } : {}),
      });
      contexts[step.id] = context;
      let output: unknown;
      try {
        output = await agent.execute(context);
      } catch (error) {
        if (!step.revise || !isRevisionRequested(error)) throw error;
        const iteration = iterations[step.id] ?? 1;
        if (iteration >= step.revise.maxIterations)
          throw new Error(`${step.id} still failing after ${iteration} iterations: ${error.summary}`);
        const { step: target, maxIterations } = step.revise;
        iterations[step.id] = iteration + 1;
        feedback[target] = {
          from: step.id,
          iteration: iteration + 1,
          maxIterations,
          feedback: error.feedback,
        };
        for (const id of [...done])
          if (id === target || (ancestors(id).includes(target) && ancestors(step.id).includes(id)))
            done.delete(id);
        break;
      }
      // Outputs cross a queue and a database in production: prove they survive JSON.
      outputs[step.id] = JSON.parse(JSON.stringify(output));
      done.add(step.id);
    }
  }
  return { outputs, contexts, iterations };
}
