import { Agent, AgentContext, AgentDescriptor, InvalidOutputError, ValidationError } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { approvedPlan } from '../planner/approved-plan';
import { SiteLanguage, SiteSpec, siteLanguageOf } from '../site-spec.model';
import { findInventedFact } from './invented-facts';
import { SiteCopy } from './site-copy.model';
import { writeCopyByRules } from './site-copy.rules';
import { validateSiteCopy } from './site-copy.validation';

/** The content step's output. */
export interface ContentOutput {
  copy: SiteCopy;
  source: string;
}

const COPY_SHAPE = `{
  "tagline": string, "description": string (at most 160 characters),
  "contact": { "email": string, "phone": string, "area": string },
  "pages": { <page slug>: { "heading": string (the page's h1), "description": string (at most 160 characters),
    "sections": { <section id>: { "heading": string, "paragraphs": string[],
      "items": [{ "title": string, "text": string, "detail"?: string, "imageAlt"?: string }],
      "callToAction": { "label": string, "targetSlug": <a page slug> } | null,
      "toFillIn"?: string (what the owner must still add here, when the request gave no facts) } } } }
}`;

const LANGUAGE_NAMES: Record<SiteLanguage, string> = {
  en: 'English',
  es: 'Spanish',
  fr: 'French',
  de: 'German',
  pt: 'Portuguese',
  it: 'Italian',
};

/** Writes the copy of every section of the planned site, in its tone and about its subject. */
export class ContentAgent implements Agent<ContentOutput> {
  readonly descriptor: AgentDescriptor = {
    name: 'content',
    version: '1.0.0',
    description: 'Writes headings, paragraphs, lists and calls to action for every section of the site.',
  };

  async execute(context: AgentContext): Promise<ContentOutput> {
    const spec = approvedPlan(context)?.spec;
    if (!spec)
      throw new ValidationError('content needs the planner step: no site spec among its dependencies');

    let answer: { value: SiteCopy; completion: { model: string } };
    try {
      answer = await context.llm.completeJson(
        {
          rules: () => writeCopyByRules(spec),
          messages: [
            {
              role: 'system',
              content: `You write website copy in ${LANGUAGE_NAMES[siteLanguageOf(spec)]}: concrete, specific to the subject, in the requested tone, never lorem ipsum. State only facts the request gives: no testimonials, reviews, prices, awards, statistics, names, addresses, emails or phone numbers it does not give; where a section needs them, leave its items empty and say in "toFillIn" what the owner should add. Leave contact fields the request does not give empty. Answer with one JSON object and nothing else, shaped like:\n${COPY_SHAPE}`,
            },
            { role: 'user', content: `Write the copy for this site plan:\n${JSON.stringify(spec)}` },
          ],
        },
        (value) => {
          const validated = validateSiteCopy(value, spec);
          if ('problem' in validated) return validated;
          const invented = findInventedFact(validated.copy, spec);
          return invented ? { problem: invented } : { value: validated.copy };
        },
      );
    } catch (error) {
      if (!(error instanceof InvalidOutputError)) throw error;
      context.log(
        LogLevel.Warning,
        `content ignored the ${error.model} answer: ${error.problem}; wrote the copy with rules`,
      );
      return this.written(writeCopyByRules(spec), spec, 'rules', context);
    }
    return this.written(answer.value, spec, answer.completion.model, context);
  }

  private written(copy: SiteCopy, spec: SiteSpec, source: string, context: AgentContext): ContentOutput {
    const sections = spec.pages.reduce((count, page) => count + page.sections.length, 0);
    context.log(
      LogLevel.Info,
      `wrote copy for ${spec.pages.length} pages and ${sections} sections (${spec.tone} tone)`,
      { source },
    );
    return { copy, source };
  }
}
