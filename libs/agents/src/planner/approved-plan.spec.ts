import { ValidationError } from '@app/agent-sdk';
import { compileWorkflowGraph } from '@app/workflow-store';
import { SiteSpec } from '../site-spec.model';
import {
  PLAN_APPROVAL_STEP,
  PLAN_APPROVAL_VARIANTS,
  asksForPlanApproval,
} from '../website-workflows.definition';
import { approvedPlan } from './approved-plan';
import { PlannerOutput } from './planner.agent';

const spec: SiteSpec = {
  kind: 'small-business',
  name: 'Crumb',
  subject: 'a bakery',
  tone: 'friendly',
  theme: { mode: null, colors: [] },
  pages: [{ slug: 'index', title: 'Home', sections: [{ id: 'hero', kind: 'hero' }] }],
  location: null,
  eventDate: null,
  requestLanguage: 'en',
  request: 'a site for my bakery',
};
const planner: PlannerOutput = { spec, change: null, source: 'offline' };

describe('the approved plan', () => {
  it("is the planner's when no approval step ran, or the approval edited nothing", () => {
    expect(approvedPlan({ dependencies: { planner } })).toBe(planner);
    expect(approvedPlan({ dependencies: { planner, [PLAN_APPROVAL_STEP]: { approved: true } } })).toBe(
      planner,
    );
  });

  it("takes the approver's fields over the planner's", () => {
    const approved = approvedPlan({
      dependencies: { planner, [PLAN_APPROVAL_STEP]: { spec: { name: 'Crumb & Co', tone: 'elegant' } } },
    });
    expect(approved?.spec).toMatchObject({ name: 'Crumb & Co', tone: 'elegant', subject: 'a bakery' });
  });

  it('refuses an edit that cannot be built, saying why', () => {
    const approve = (edit: unknown) => () =>
      approvedPlan({ dependencies: { planner, [PLAN_APPROVAL_STEP]: { spec: edit } } });
    expect(approve('a nicer one')).toThrow(ValidationError);
    expect(approve({ tone: 'grumpy' })).toThrow(/cannot be built: tone "grumpy" is not one of/);
  });

  it('is asked for by preferences.approvePlan, in variants of CREATE_SITE and UPDATE_SITE that compile', () => {
    expect(asksForPlanApproval({ approvePlan: true })).toBe(true);
    expect(asksForPlanApproval({ approvePlan: 'yes' })).toBe(false);
    expect(asksForPlanApproval(undefined)).toBe(false);
    expect(PLAN_APPROVAL_VARIANTS.map((definition) => definition.type)).toEqual([
      'CREATE_SITE',
      'UPDATE_SITE',
    ]);
    const graph = compileWorkflowGraph(PLAN_APPROVAL_VARIANTS[0], () => null);
    expect(graph.deps[PLAN_APPROVAL_STEP]).toEqual(['planner']);
    expect(graph.deps.content).toEqual([PLAN_APPROVAL_STEP]);
    expect(graph.approvals?.[PLAN_APPROVAL_STEP]).toEqual({ onTimeout: 'fail', deadlineSeconds: 86400 });
  });
});
