import { WorkflowType } from './workflow.enums';

/** One node of a workflow graph: an agent run once, after the steps it depends on. */
export interface StepDefinition {
  /** Unique within the workflow; later steps read this step's output under this id. */
  id: string;
  /** A registered agent name. */
  agent: string;
  dependsOn: string[];
}

/** A workflow type as a graph of agent steps. Steps whose dependencies are met run in parallel. */
export interface WorkflowDefinition {
  type: string;
  description: string;
  steps: StepDefinition[];
}

const step = (id: string, ...dependsOn: string[]): StepDefinition => ({ id, agent: id, dependsOn });

/** The website builder's workflows, definitions like any other. */
export const BUILT_IN_WORKFLOWS: readonly WorkflowDefinition[] = [
  {
    type: WorkflowType.CreateSite,
    description: 'Plan, write, design, build, audit and publish a new site from a sentence.',
    steps: [
      step('memory'),
      step('planner', 'memory'),
      step('content', 'planner'),
      step('design', 'planner'),
      step('builder', 'content', 'design'),
      step('audit', 'builder'),
      step('deploy', 'audit'),
    ],
  },
  {
    type: WorkflowType.UpdateSite,
    description: "Change the session's site as asked and publish it as a new version.",
    steps: [
      step('memory'),
      step('planner', 'memory'),
      step('content', 'planner'),
      step('design', 'planner'),
      step('builder', 'content', 'design'),
      step('audit', 'builder'),
      step('deploy', 'audit'),
    ],
  },
  {
    type: WorkflowType.AuditOnly,
    description: 'Audit a published site and report its findings.',
    steps: [step('audit')],
  },
  {
    type: WorkflowType.DeployOnly,
    description: 'Publish again, or roll back to, a version of a site.',
    steps: [step('deploy')],
  },
];
