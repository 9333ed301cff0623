import { StepDefinition, WorkflowDefinition, WorkflowType } from '@app/contracts';
import {
  SITE_REFERENCE_INPUT_SCHEMA,
  SITE_REQUEST_INPUT_ALIASES,
  SITE_REQUEST_INPUT_SCHEMA,
} from './workflow-input.schema';

// The gateway imports this file on its own (`@app/agents/website-workflows`), not the library's
// index, which loads jsdom and the rest of the agents: keep its imports to contracts and schemas.

const step = (id: string, ...dependsOn: string[]): StepDefinition => ({ id, agent: id, dependsOn });

const BUILD_AND_PUBLISH: StepDefinition[] = [
  step('memory'),
  step('planner', 'memory'),
  step('content', 'planner'),
  step('design', 'planner'),
  step('builder', 'content', 'design'),
  step('audit', 'builder'),
  step('deploy', 'audit'),
];

/** The website builder's workflows, definitions like any other, each with the schema of its input. */
export const BUILT_IN_WORKFLOWS: readonly WorkflowDefinition[] = [
  {
    type: WorkflowType.CreateSite,
    description: 'Plan, write, design, build, audit and publish a new site from a sentence.',
    steps: BUILD_AND_PUBLISH,
    inputSchema: SITE_REQUEST_INPUT_SCHEMA,
    inputAliases: SITE_REQUEST_INPUT_ALIASES,
  },
  {
    type: WorkflowType.UpdateSite,
    description: "Change the session's site as asked and publish it as a new version.",
    steps: BUILD_AND_PUBLISH,
    inputSchema: SITE_REQUEST_INPUT_SCHEMA,
    inputAliases: SITE_REQUEST_INPUT_ALIASES,
  },
  {
    type: WorkflowType.AuditOnly,
    description: 'Audit a published site and report its findings.',
    steps: [step('audit')],
    inputSchema: SITE_REFERENCE_INPUT_SCHEMA,
  },
  {
    type: WorkflowType.DeployOnly,
    description: 'Publish again, or roll back to, a version of a site.',
    steps: [step('deploy')],
    inputSchema: SITE_REFERENCE_INPUT_SCHEMA,
  },
];
