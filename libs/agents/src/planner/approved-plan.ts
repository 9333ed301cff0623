import { AgentContext, ValidationError } from '@app/agent-sdk';
import { PLAN_APPROVAL_STEP } from '../website-workflows.definition';
import { PlannerOutput } from './planner.agent';
import { isRecord, validateSiteSpec } from './site-spec.validation';

/**
 * The plan the later steps build: the planner's, with the fields of `spec` an approver sent in
 * the approval's payload (`{ spec: { name: "Ana's Bakery" } }`) in place of the planner's, checked
 * as a language model's spec is. Without an approval step, or an approval without a spec, the
 * planner's as it is; undefined without a planner.
 */
export function approvedPlan(context: Pick<AgentContext, 'dependencies'>): PlannerOutput | undefined {
  const planned = context.dependencies.planner as PlannerOutput | undefined;
  const approval = context.dependencies[PLAN_APPROVAL_STEP] as { spec?: unknown } | undefined;
  if (!planned || approval?.spec === undefined) return planned;
  if (!isRecord(approval.spec))
    throw new ValidationError(`the ${PLAN_APPROVAL_STEP} step's spec must be an object of site spec fields`);
  const checked = validateSiteSpec({ ...planned.spec, ...approval.spec }, planned.spec);
  if ('problem' in checked)
    throw new ValidationError(
      `the plan approved in step ${PLAN_APPROVAL_STEP} cannot be built: ${checked.problem}`,
    );
  return { ...planned, spec: checked.spec };
}
