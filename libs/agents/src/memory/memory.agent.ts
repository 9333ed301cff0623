import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel, WorkflowType } from '@app/contracts';
import { parsePreferences } from '../session-preferences.model';
import { readSiteRequest } from '../workflow-input.model';
import { SessionMemory, SessionMemoryStore } from './session-memory.store';

/** The memory step's output: the session as remembered, this request included. */
export type MemoryOutput = SessionMemory;

/**
 * Loads the session's memory for the steps after it, remembers the preferences the session sent
 * and records the request in the session's history.
 */
export class MemoryAgent implements Agent<MemoryOutput> {
  readonly descriptor: AgentDescriptor = {
    name: 'memory',
    version: '1.0.0',
    description:
      "Loads the session's preferences, site and request history, and records the current request.",
  };

  private readonly store: SessionMemoryStore;

  constructor(options: { store: SessionMemoryStore }) {
    this.store = options.store;
  }

  async execute(context: AgentContext): Promise<MemoryOutput> {
    const request = readSiteRequest(context.input);
    const memory = await this.store.load(context.sessionId);
    if (
      context.workflowType === WorkflowType.UpdateSite &&
      (memory.siteId === null || memory.siteSpec === null)
    ) {
      throw new ValidationError(`session ${context.sessionId} has no site to update; run CREATE_SITE first`);
    }

    const { preferences, warnings } = parsePreferences(context.preferences);
    for (const warning of warnings) context.log(LogLevel.Warning, warning);
    const record = {
      workflowId: context.workflowId,
      workflowType: context.workflowType,
      request,
      receivedAt: new Date().toISOString(),
    };
    const remembered = await this.store.savePreferences(context.sessionId, preferences);
    await this.store.recordRequest(context.sessionId, record);
    const history = memory.history.some((entry) => entry.workflowId === record.workflowId)
      ? memory.history
      : [...memory.history, record];

    context.log(LogLevel.Info, 'session memory loaded', {
      hasSite: memory.siteId !== null,
      historyLength: history.length,
    });
    return { ...memory, preferences: remembered, history };
  }
}
