import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { ContentOutput } from '../content/content.agent';
import { DesignSystem } from '../design/design-system.model';
import { approvedPlan } from '../planner/approved-plan';
import { BuiltSite, renderSite } from './site-renderer';
import { findingsOf, repairSite } from './site-repairs';

/** Renders the planned, written and designed site into static files. */
export class BuilderAgent implements Agent<BuiltSite> {
  readonly descriptor: AgentDescriptor = {
    name: 'builder',
    version: '1.0.0',
    description:
      'Renders semantic, responsive HTML pages, a stylesheet and images from spec, copy and design.',
  };

  async execute(context: AgentContext): Promise<BuiltSite> {
    const spec = approvedPlan(context)?.spec;
    const copy = (context.dependencies.content as ContentOutput | undefined)?.copy;
    const design = context.dependencies.design as DesignSystem | undefined;
    if (!spec || !copy || !design) {
      throw new ValidationError('builder needs the planner, content and design steps among its dependencies');
    }
    let site = renderSite(spec, copy, design);
    if (context.feedback) site = this.repair(site, context);
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

  /**
   * The audit sent the site back (a quality loop): the fixes its findings call for, applied to
   * the pages just rendered, and what could not be fixed said, for whoever reads the log.
   */
  private repair(site: BuiltSite, context: AgentContext): BuiltSite {
    const { from, iteration, maxIterations, feedback } = context.feedback!;
    const { files, repairs } = repairSite(site.files, findingsOf(feedback));
    context.log(
      LogLevel.Info,
      `iteration ${iteration} of ${maxIterations}: fixed ${repairs.repaired.length} finding(s) of ${from}` +
        (repairs.unrepaired.length > 0 ? `; no fix for ${repairs.unrepaired.join(', ')}` : ''),
      { ...repairs },
    );
    return { ...site, files, repairs };
  }
}
