import {
  Agent,
  AgentContext,
  AgentDescriptor,
  InvalidOutputError,
  LlmCompletion,
  LlmMessage,
  ValidationError,
  parseJsonAnswer,
} from '@app/agent-sdk';
import { LogLevel, WorkflowType } from '@app/contracts';
import { detectLanguage } from '../language/language-detection';
import { DETAIL_SECTIONS } from '../language/requested-detail.model';
import { MemoryOutput } from '../memory/memory.agent';
import { SessionPreferences, parsePreferences } from '../session-preferences.model';
import { SECTION_KINDS, SITE_KINDS, SiteSpec, TONES, isSiteLanguage } from '../site-spec.model';
import { readSiteRequest } from '../workflow-input.model';
import { applySiteChangeByRules } from './site-change.rules';
import { detectKind, detectTone, planSiteByRules } from './site-request.rules';
import { missingAskedSections, readRequestedDetails } from './requested-details.rules';
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

  async execute(context: AgentContext): Promise<PlannerOutput> {
    const request = readSiteRequest(context.input);
    const language = detectLanguage(request);
    if (!isSiteLanguage(language)) {
      context.log(
        LogLevel.Warning,
        `request appears to be in "${language}", which sites cannot be written in yet; the site will be in English`,
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
        'the request names no kind of site the planner knows; a general site in its own words is the fallback',
      );
    }
    const asked = readRequestedDetails(request)
      .map((detail) => `${detail} (a section of kind "${DETAIL_SECTIONS[detail].section}")`)
      .join(', ');
    const messages: LlmMessage[] = [
      {
        role: 'system',
        content: `You plan small websites. Answer with one JSON object and nothing else, shaped like:\n${SPEC_SHAPE}\nThe first page is the home page. Use 3 to 8 pages. Write page titles in the language of the request.${asked ? ` The request asks for: ${asked}; give each its own page holding that section.` : ''}`,
      },
      { role: 'user', content: request },
    ];
    const known = { request, requestLanguage: language };
    let spec: SiteSpec;
    let source: string;
    try {
      const answer = await context.llm.completeJson(
        { messages, rules: () => planSiteByRules(request).spec },
        (value) => {
          const validated = validateSiteSpec(value, known);
          if ('problem' in validated) return validated;
          const missing = missingAskedSections(validated.spec);
          return missing.length > 0
            ? { problem: `it drops what the request asked for: no section of kind ${missing.join(', ')}` }
            : { value: validated.spec };
        },
      );
      spec = answer.value;
      source = answer.completion.model;
    } catch (error) {
      if (!(error instanceof InvalidOutputError)) throw error;
      context.log(
        LogLevel.Warning,
        `planner ignored the ${error.model} answer: ${error.problem}; planned with rules`,
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
    const completion: LlmCompletion = await context.llm.complete({
      messages,
      isJson: true,
      rules: () => {
        const { spec, changes } = applySiteChangeByRules(previous, request);
        return { spec, change: changes.join('; ') };
      },
    });
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
      else return this.changed(validated.spec, change.trim(), completion.model, context);
    } else {
      problem = 'problem' in parsed ? parsed.problem : 'the answer is not an object';
    }
    context.log(
      LogLevel.Warning,
      `planner ignored the ${completion.model} answer: ${problem}; applied the change with rules`,
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
