import { StepDefinition, WorkflowDefinition, WorkflowType } from '@app/contracts';
import {
  SITE_REFERENCE_INPUT_SCHEMA,
  SITE_REQUEST_INPUT_ALIASES,
  SITE_REQUEST_INPUT_SCHEMA,
} from './workflow-input.schema';

// The gateway imports this file on its own (`@app/agents/website-workflows`), not the library's
// index, which loads jsdom and the rest of the agents: keep its imports to contracts and schemas.

const step = (id: string, ...dependsOn: string[]): StepDefinition => ({ id, agent: id, dependsOn });

/**
 * How many times, by default, an audit below its threshold sends the site back to the builder
 * with its findings before the workflow fails (the gateway's `AUDIT_REVISIONS`).
 */
export const DEFAULT_AUDIT_REVISIONS = 2;

/** The audit as a quality loop: below its threshold it sends its findings back to the builder. */
const auditStep = (revisions = DEFAULT_AUDIT_REVISIONS): StepDefinition => ({
  ...step('audit', 'builder'),
  revise: { step: 'builder', maxIterations: revisions + 1 },
});

const BUILD_AND_PUBLISH: StepDefinition[] = [
  step('memory'),
  step('planner', 'memory'),
  step('content', 'planner'),
  step('design', 'planner'),
  step('builder', 'content', 'design'),
  auditStep(),
  step('deploy', 'audit'),
];

/** The id of the optional step where a person approves (and may edit) the plan before building. */
export const PLAN_APPROVAL_STEP = 'approve-plan';

/** The preference (`true`) that asks for the plan to be approved before building. */
export const APPROVE_PLAN_PREFERENCE = 'approvePlan';

/**
 * BUILD_AND_PUBLISH with a person's approval of the plan after the planner: content, design and
 * everything after them read the approved plan (see planner/approved-plan.ts). A plan nobody
 * decides on within a day fails the workflow.
 */
const BUILD_AND_PUBLISH_APPROVED: StepDefinition[] = [
  step('memory'),
  step('planner', 'memory'),
  {
    id: PLAN_APPROVAL_STEP,
    approval: { deadlineSeconds: 24 * 60 * 60, onTimeout: 'fail' },
    dependsOn: ['planner'],
  },
  step('content', PLAN_APPROVAL_STEP),
  step('design', PLAN_APPROVAL_STEP),
  step('builder', 'content', 'design'),
  auditStep(),
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

/**
 * The graphs a workflow of CREATE_SITE or UPDATE_SITE runs when its preferences ask for plan
 * approval ({@link APPROVE_PLAN_PREFERENCE}): the same type with an approval step after the
 * planner. (A step that exists only on request does not fit the graph model, so the request
 * chooses between two graphs of one type.)
 */
export const PLAN_APPROVAL_VARIANTS: readonly WorkflowDefinition[] = BUILT_IN_WORKFLOWS.filter(
  (definition) => definition.steps === BUILD_AND_PUBLISH,
).map((definition) => ({ ...definition, steps: BUILD_AND_PUBLISH_APPROVED }));

/** True when a start's preferences ask for the plan to be approved before building. */
export function asksForPlanApproval(preferences: Readonly<Record<string, unknown>> | undefined): boolean {
  return preferences?.[APPROVE_PLAN_PREFERENCE] === true;
}

/**
 * A built-in definition whose audit sends the site back `revisions` times at most (0: it fails
 * the workflow at the first audit below the threshold); other definitions are returned as they are.
 */
export function withAuditRevisions(definition: WorkflowDefinition, revisions: number): WorkflowDefinition {
  if (!definition.steps.some((candidate) => candidate.revise && candidate.id === 'audit')) return definition;
  return {
    ...definition,
    steps: definition.steps.map((candidate) =>
      candidate.revise && candidate.id === 'audit' ? auditStep(revisions) : candidate,
    ),
  };
}
