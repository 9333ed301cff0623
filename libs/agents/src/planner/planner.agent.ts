import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel, WorkflowType } from '@app/contracts';
import { parseJsonAnswer } from '../llm/json-answer.parser';
import { LlmClient, LlmMessage } from '../llm/llm.client';
import { MemoryOutput } from '../memory/memory.agent';
import { SessionPreferences, parsePreferences } from '../session-preferences.model';
import { SECTION_KINDS, SITE_KINDS, SiteSpec, TONES } from '../site-spec.model';
import { readSiteRequest } from '../workflow-input.model';
import { applySiteChangeByRules } from './site-change.rules';
import { detectKind, detectLanguage, detectTone, planSiteByRules } from './site-request.rules';
import { isRecord, validateSiteSpec } from './site-spec.validation';

/** The planner's output: the spec to build and, for an update, what changed. */
export interface PlannerOutput {
  spec: SiteSpec;
  /** One sentence per change for UPDATE_SITE; null for a new site. */
  change: string | null;
  /** Which provider planned it: `offline`, a model name, or `rules` after a model's unusable answer. */
  source: string;
}

const SPEC_SHAPE = `{
  "kind": one of ${SITE_KINDS.map((kind) => `"${kind}"`).join(', ')},
  "name": string (the site's name, at most 50 characters),
  "subject": string (who or what the site is about, in a few words),
  "tone": one of ${TONES.map((tone) => `"${tone}"`).join(', ')},
  "theme": { "mode": "dark" | "light" | null, "colors": string[] (#rrggbb colours the request names) },
  "location": string | null, "eventDate": string | null,
  "pages": [{ "slug": string ("index" for the first, home page), "title": string,
              "sections": [{ "id": string, "kind": one of ${SECTION_KINDS.map((kind) => `"${kind}"`).join(', ')} }] }]
}`;

/** Turns a request into a site spec, or applies an update request to the session's spec. */
export class PlannerAgent implements Agent<PlannerOutput> {
  readonly descriptor: AgentDescriptor = {
    name: 'planner',
    version: '1.0.0',
    description: 'Plans the kind, name, pages, sections, tone and theme of a site from a request.',
  };

  private readonly llm: LlmClient;

  constructor(options: { llm: LlmClient }) {
    this.llm = options.llm;
  }

  async execute(context: AgentContext): Promise<PlannerOutput> {
    const request = readSiteRequest(context.input);
    const language = detectLanguage(request);
    if (language !== 'en') {
      context.log(
        LogLevel.Warning,
        `request appears to be in "${language}"; planning from it anyway, copy will be in English`,
        { language },
      );
    }
    const memory = context.dependencies.memory as MemoryOutput | undefined;
    const preferences: SessionPreferences =
      memory?.preferences ?? parsePreferences(context.preferences).preferences;

    if (context.workflowType === WorkflowType.UpdateSite) {
      const previous = memory?.siteSpec;
      if (!previous)
        throw new ValidationError(
          `session ${context.sessionId} has no site to update; run CREATE_SITE first`,
        );
      return this.change(previous, request, context);
    }
    return this.plan(request, language, preferences, context);
  }

  private async plan(
    request: string,
    language: string,
    preferences: SessionPreferences,
    context: AgentContext,
  ): Promise<PlannerOutput> {
    if (detectKind(request) === null) {
      context.log(
        LogLevel.Warning,
        'the request names no kind of site the planner knows; a personal site is the fallback',
      );
    }
    const messages: LlmMessage[] = [
      {
        role: 'system',
        content: `You plan small websites. Answer with one JSON object and nothing else, shaped like:\n${SPEC_SHAPE}\nThe first page is the home page. Use 3 to 6 pages.`,
      },
      { role: 'user', content: request },
    ];
    const completion = await this.llm.complete({ task: { name: 'plan-site', request }, messages }, context);
    const parsed = parseJsonAnswer(completion.text);
    const validated =
      'value' in parsed ? validateSiteSpec(parsed.value, { request, requestLanguage: language }) : parsed;

    let spec: SiteSpec;
    let source = completion.provider;
    if ('spec' in validated) {
      spec = validated.spec;
    } else {
      context.log(
        LogLevel.Warning,
        `planner ignored the ${completion.provider} answer: ${validated.problem}; planned with rules`,
      );
      spec = planSiteByRules(request).spec;
      source = 'rules';
    }
    // The request's own words about tone beat the session's standing preference.
    if (preferences.tone && detectTone(request) === null) spec.tone = preferences.tone;
    context.log(LogLevel.Info, `planned a ${spec.kind} site "${spec.name}" with ${spec.pages.length} pages`, {
      kind: spec.kind,
      pages: spec.pages.map((page) => page.slug),
      source,
    });
    return { spec, change: null, source };
  }

  private async change(previous: SiteSpec, request: string, context: AgentContext): Promise<PlannerOutput> {
    const messages: LlmMessage[] = [
      {
        role: 'system',
        content: `You update website plans. Given the current plan and a change request, answer with one JSON object and nothing else: {"spec": <the whole updated plan>, "change": <one sentence saying what changed>}. The plan is shaped like:\n${SPEC_SHAPE}\nChange only what the request asks.`,
      },
      { role: 'user', content: `Current plan:\n${JSON.stringify(previous)}\n\nChange request: ${request}` },
    ];
    const completion = await this.llm.complete(
      { task: { name: 'change-site', request, spec: previous }, messages },
      context,
    );
    const parsed = parseJsonAnswer(completion.text);
    let problem: string;
    if ('value' in parsed && isRecord(parsed.value)) {
      const validated = validateSiteSpec(parsed.value.spec, {
        request: previous.request,
        requestLanguage: previous.requestLanguage,
      });
      const change = parsed.value.change;
      if ('problem' in validated) problem = validated.problem;
      else if (typeof change !== 'string' || change.trim() === '')
        problem = 'the answer does not say what changed';
      else if (JSON.stringify(validated.spec) === JSON.stringify(previous))
        problem = 'the answer changes nothing';
      else return this.changed(validated.spec, change.trim(), completion.provider, context);
    } else {
      problem = 'problem' in parsed ? parsed.problem : 'the answer is not an object';
    }
    context.log(
      LogLevel.Warning,
      `planner ignored the ${completion.provider} answer: ${problem}; applied the change with rules`,
    );
    const { spec, changes } = applySiteChangeByRules(previous, request);
    return this.changed(spec, changes.join('; '), 'rules', context);
  }

  private changed(spec: SiteSpec, change: string, source: string, context: AgentContext): PlannerOutput {
    context.log(LogLevel.Info, `planned the change: ${change}`, {
      pages: spec.pages.map((page) => page.slug),
      source,
    });
    return { spec, change, source };
  }
}
