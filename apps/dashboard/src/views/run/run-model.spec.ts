import type { AgentLifecycle, WorkflowEvent, WorkflowState } from '../../api/types';
import { applyEvent, subStepSummaryOf, waterfallOf } from './run-model';

const step = (stepId: string) => ({
  stepId,
  agent: 'echo',
  dependsOn: [],
  lifecycle: 'EXECUTING' as AgentLifecycle,
  attempts: 1,
  startedAt: null,
  finishedAt: null,
  error: null,
  waitingFor: null,
  llmCalls: 0,
  llmTokens: 0,
});

const state = (): WorkflowState =>
  ({ workflowId: 'w', status: 'RUNNING', steps: [step('pages')] }) as unknown as WorkflowState;

let eventId = 0;
const status = (lifecycle: AgentLifecycle, at: number, item?: number): WorkflowEvent => ({
  type: 'agent_status',
  workflowId: 'w',
  eventId: ++eventId,
  timestamp: new Date(at).toISOString(),
  stepId: 'pages',
  agent: 'echo',
  lifecycle,
  attempt: lifecycle === 'READY' ? 0 : 1,
  error: null,
  ...(item === undefined ? {} : { item }),
});

describe('a fan-out step in the run view', () => {
  const events = [
    status('READY', 1_000, 0),
    status('READY', 1_000, 1),
    status('EXECUTING', 1_100, 1),
    status('EXECUTING', 1_200, 0),
    status('COMPLETED', 2_000, 1),
  ];

  it('lists sub-steps under their step and leaves the step’s own lifecycle alone', () => {
    const after = events.reduce(applyEvent, state());
    const [pages] = after.steps;
    expect(pages.lifecycle).toBe('EXECUTING');
    expect(pages.subSteps?.map((sub) => [sub.item, sub.lifecycle])).toEqual([
      [0, 'EXECUTING'],
      [1, 'COMPLETED'],
    ]);
    expect(subStepSummaryOf(pages)).toBe('1/2 items');
    expect(subStepSummaryOf(step('plan'))).toBeNull();
  });

  it('draws each sub-step’s wait and run as bars of its own row', () => {
    const bars = waterfallOf(events).map(({ stepId, kind, start, end }) => [stepId, kind, start, end]);
    expect(bars).toEqual([
      ['pages[0]', 'queued', 1_000, 1_200],
      ['pages[1]', 'queued', 1_000, 1_100],
      ['pages[1]', 'running', 1_100, 2_000],
      ['pages[0]', 'running', 1_200, null],
    ]);
  });
});

describe('a quality loop in the run view', () => {
  const loopState = (): WorkflowState =>
    ({
      workflowId: 'w',
      status: 'RUNNING',
      steps: [
        { ...step('plan'), dependsOn: [] },
        { ...step('builder'), dependsOn: ['plan'] },
        { ...step('polish'), dependsOn: ['builder'] },
        { ...step('audit'), dependsOn: ['polish'] },
        { ...step('deploy'), dependsOn: ['audit'] },
      ],
    }) as unknown as WorkflowState;
  const revision = (iteration: number, metadata?: Record<string, unknown>): WorkflowEvent => ({
    type: 'log',
    workflowId: 'w',
    eventId: ++eventId,
    timestamp: new Date(3_000).toISOString(),
    level: 'warning',
    message: `audit sent the work back to builder (iteration ${iteration} of 3): 2 findings`,
    stepId: 'audit',
    agent: 'audit',
    logId: null,
    metadata: metadata ?? { iteration, maxIterations: 3, target: 'builder', feedback: {} },
  });

  it('marks the steps its check sent back with their iteration, and no other step', () => {
    const after = [revision(2), revision(3)].reduce(applyEvent, loopState());
    expect(after.steps.map((one) => [one.stepId, one.iteration ?? null])).toEqual([
      ['plan', null],
      ['builder', { current: 3, max: 3 }],
      ['polish', { current: 3, max: 3 }],
      ['audit', { current: 3, max: 3 }],
      ['deploy', null],
    ]);
  });

  it('leaves the steps alone on any other log line', () => {
    const before = loopState();
    expect(applyEvent(before, revision(2, { score: 40 }))).toBe(before);
  });
});
