import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { ContentOutput } from '../content/content.agent';
import { DesignSystem } from '../design/design-system.model';
import { PlannerOutput } from '../planner/planner.agent';
import { BuiltSite, renderSite } from './site-renderer';

/** Renders the planned, written and designed site into static files. */
export class BuilderAgent implements Agent<BuiltSite> {
  readonly descriptor: AgentDescriptor = {
    name: 'builder',
    version: '1.0.0',
    description:
      'Renders semantic, responsive HTML pages, a stylesheet and images from spec, copy and design.',
  };

  async execute(context: AgentContext): Promise<BuiltSite> {
    const spec = (context.dependencies.planner as PlannerOutput | undefined)?.spec;
    const copy = (context.dependencies.content as ContentOutput | undefined)?.copy;
    const design = context.dependencies.design as DesignSystem | undefined;
    if (!spec || !copy || !design) {
      throw new ValidationError('builder needs the planner, content and design steps among its dependencies');
    }
    const site = renderSite(spec, copy, design);
    const bytes = Object.values(site.files).reduce((total, text) => total + Buffer.byteLength(text), 0);
    context.log(
      LogLevel.Info,
      `built ${site.pages.length} pages and ${Object.keys(site.files).length} files (${bytes} bytes)`,
      {
        pages: site.pages,
      },
    );
    return site;
  }
}
