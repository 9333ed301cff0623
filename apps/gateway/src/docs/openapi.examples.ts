import {
  AgentLifecycle,
  LogLevel,
  LogPage,
  StartWorkflowRequest,
  StartWorkflowResponse,
  StepState,
  WorkflowPage,
  WorkflowState,
  WorkflowStatus,
} from '@app/contracts';
import { encodeKeysetCursor } from '@app/persistence';
import { InvalidInputResponse } from './api-error.dto';

/*
 * Examples of the main routes' bodies, typed against the classes they illustrate so that they
 * cannot drift from them (the API documentation test also checks them against the schemas).
 */

const WORKFLOW_ID = '5f0c7a8e-3b1d-4f6a-9c2e-8d7b6a5f4e3d';
const STARTED_AT = '2026-11-29T10:00:00.000Z';

export const START_WORKFLOW_EXAMPLE = {
  type: 'CREATE_SITE',
  input: {
    request: 'A portfolio site for a wedding photographer in Lyon, with a gallery and a contact page.',
  },
  sessionId: 'session-42',
  preferences: { theme: 'light', primaryColor: '#2f6f4f', tone: 'friendly' },
} satisfies StartWorkflowRequest;

export const STARTED_WORKFLOW_EXAMPLE = { workflowId: WORKFLOW_ID } satisfies StartWorkflowResponse;

export const INVALID_INPUT_EXAMPLE = {
  statusCode: 422,
  error: 'Unprocessable Entity',
  message: 'input is invalid',
  errors: [{ path: '/request', message: 'is required' }],
} satisfies InvalidInputResponse;

const step = (
  stepId: string,
  dependsOn: string[],
  lifecycle: AgentLifecycle,
  minute: number | null,
): StepState => ({
  stepId,
  agent: stepId,
  dependsOn,
  lifecycle,
  attempts: minute === null ? 0 : 1,
  startedAt: minute === null ? null : `2026-11-29T10:0${minute}:00.000Z`,
  finishedAt: lifecycle === AgentLifecycle.Completed ? `2026-11-29T10:0${(minute ?? 0) + 1}:00.000Z` : null,
  error: null,
  waitingFor: null,
  llmCalls: 0,
  llmTokens: 0,
});

export const WORKFLOW_EXAMPLE = {
  workflowId: WORKFLOW_ID,
  type: 'CREATE_SITE',
  status: WorkflowStatus.Running,
  tenantId: 'acme',
  sessionId: START_WORKFLOW_EXAMPLE.sessionId,
  input: START_WORKFLOW_EXAMPLE.input,
  preferences: START_WORKFLOW_EXAMPLE.preferences,
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  steps: [
    step('memory', [], AgentLifecycle.Completed, 0),
    step('planner', ['memory'], AgentLifecycle.Completed, 1),
    step('content', ['planner'], AgentLifecycle.Executing, 2),
    step('design', ['planner'], AgentLifecycle.Executing, 2),
    step('builder', ['content', 'design'], AgentLifecycle.Registered, null),
    step('audit', ['builder'], AgentLifecycle.Registered, null),
    step('deploy', ['audit'], AgentLifecycle.Registered, null),
  ],
  metrics: {
    totalDurationMs: null,
    agentDurationsMs: { memory: 41, planner: 2310 },
    llmCalls: 1,
    llmTokens: 1840,
    errorCount: 0,
    retryCount: 0,
  },
  error: null,
  result: null,
  createdAt: STARTED_AT,
  updatedAt: '2026-11-29T10:02:00.000Z',
  finishedAt: null,
  completedSteps: 2,
  totalSteps: 7,
  lastEventId: 14,
} satisfies WorkflowState;

export const CANCELLED_WORKFLOW_EXAMPLE = {
  ...WORKFLOW_EXAMPLE,
  status: WorkflowStatus.Cancelled,
  metrics: { ...WORKFLOW_EXAMPLE.metrics, totalDurationMs: 150_000 },
  updatedAt: '2026-11-29T10:02:30.000Z',
  finishedAt: '2026-11-29T10:02:30.000Z',
  lastEventId: 17,
} satisfies WorkflowState;

export const WORKFLOW_PAGE_EXAMPLE = {
  items: [
    {
      workflowId: WORKFLOW_ID,
      type: 'CREATE_SITE',
      status: WorkflowStatus.Running,
      tenantId: 'acme',
      sessionId: 'session-42',
      createdAt: STARTED_AT,
      updatedAt: '2026-11-29T10:02:00.000Z',
      finishedAt: null,
      error: null,
      completedSteps: 2,
      totalSteps: 7,
    },
  ],
  nextCursor: encodeKeysetCursor({ timestamp: '2026-11-29T10:00:00.000000Z', id: WORKFLOW_ID }),
  limit: 20,
} satisfies WorkflowPage;

export const LOG_PAGE_EXAMPLE = {
  items: [
    {
      id: '0b6d2f3e-8a41-4c1e-9f0a-2d5c7e9b1a34',
      timestamp: '2026-11-29T10:01:05.000Z',
      level: LogLevel.Info,
      workflowId: WORKFLOW_ID,
      agent: 'planner',
      message: 'planned 4 pages: home, gallery, about, contact',
      metadata: { stepId: 'planner', attempt: 1 },
    },
  ],
  total: 37,
  nextCursor: 'MjAyNi0xMS0yOVQxMDowMTowNS4wMDBa',
} satisfies LogPage;
