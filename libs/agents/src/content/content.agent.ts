import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { parseJsonAnswer } from '../llm/json-answer.parser';
import { LlmClient } from '../llm/llm.client';
import { PlannerOutput } from '../planner/planner.agent';
import { SiteSpec } from '../site-spec.model';
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
      "callToAction": { "label": string, "targetSlug": <a page slug> } | null } } } }
}`;

/** Writes the copy of every section of the planned site, in its tone and about its subject. */
export class ContentAgent implements Agent<ContentOutput> {
  readonly descriptor: AgentDescriptor = {
    name: 'content',
    version: '1.0.0',
    description: 'Writes headings, paragraphs, lists and calls to action for every section of the site.',
  };

  private readonly llm: LlmClient;

  constructor(options: { llm: LlmClient }) {
    this.llm = options.llm;
  }

  async execute(context: AgentContext): Promise<ContentOutput> {
    const spec = (context.dependencies.planner as PlannerOutput | undefined)?.spec;
    if (!spec)
      throw new ValidationError('content needs the planner step: no site spec among its dependencies');

    const completion = await this.llm.complete(
      {
        task: { name: 'write-copy', spec },
        messages: [
          {
            role: 'system',
            content: `You write website copy in English: concrete, specific to the subject, in the requested tone, never lorem ipsum, no invented awards or statistics. Use example.com-style addresses and 555-01xx phone numbers. Answer with one JSON object and nothing else, shaped like:\n${COPY_SHAPE}`,
          },
          { role: 'user', content: `Write the copy for this site plan:\n${JSON.stringify(spec)}` },
        ],
      },
      context,
    );
    const parsed = parseJsonAnswer(completion.text);
    const validated = 'value' in parsed ? validateSiteCopy(parsed.value, spec) : parsed;
    if ('copy' in validated) return this.written(validated.copy, spec, completion.provider, context);

    context.log(
      LogLevel.Warning,
      `content ignored the ${completion.provider} answer: ${validated.problem}; wrote the copy with rules`,
    );
    return this.written(writeCopyByRules(spec), spec, 'rules', context);
  }

  private written(copy: SiteCopy, spec: SiteSpec, source: string, context: AgentContext): ContentOutput {
    const sections = spec.pages.reduce((count, page) => count + page.sections.length, 0);
    context.log(
      LogLevel.Info,
      `wrote copy for ${spec.pages.length} pages and ${sections} sections in a ${spec.tone} tone`,
      { source },
    );
    return { copy, source };
  }
}
