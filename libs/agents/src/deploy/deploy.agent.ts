import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel, WorkflowType } from '@app/contracts';
import { randomBytes } from 'node:crypto';
import { AuditOutput } from '../audit/audit.agent';
import { BuiltSite } from '../builder/site-renderer';
import { MemoryOutput } from '../memory/memory.agent';
import { SessionMemoryStore } from '../memory/session-memory.store';
import { approvedPlan } from '../planner/approved-plan';
import { PlannerOutput } from '../planner/planner.agent';
import { SiteSpec } from '../site-spec.model';
import { slugify } from '../text.format';
import { readSiteReference } from '../workflow-input.model';
import { SiteNotFoundError, SiteRepository } from '@app/sites';

/** The deploy step's output: where the site is served. */
export interface DeployOutput {
  siteId: string;
  version: number;
  /** URL path under the gateway. */
  path: string;
  /** `published` a new version, or `activated` an existing one (rollback, re-publish). */
  action: 'published' | 'activated';
}

/**
 * Publishes the built site as a new version (CREATE_SITE, UPDATE_SITE) or points the site at an
 * earlier version (DEPLOY_ONLY), then remembers the site in the session.
 */
export class DeployAgent implements Agent<DeployOutput> {
  readonly descriptor: AgentDescriptor = {
    name: 'deploy',
    version: '1.0.0',
    description: 'Publishes a site as a new immutable version, or rolls back to an earlier one.',
  };

  private readonly repository: SiteRepository;
  private readonly store: SessionMemoryStore;

  constructor(options: { repository: SiteRepository; store: SessionMemoryStore }) {
    this.repository = options.repository;
    this.store = options.store;
  }

  async execute(context: AgentContext): Promise<DeployOutput> {
    const built = context.dependencies.builder as BuiltSite | undefined;
    if (built) return this.publish(built, context);
    if (
      context.workflowType === WorkflowType.CreateSite ||
      context.workflowType === WorkflowType.UpdateSite
    ) {
      throw new ValidationError('deploy needs the builder step among its dependencies');
    }
    return this.activate(context);
  }

  private async publish(built: BuiltSite, context: AgentContext): Promise<DeployOutput> {
    const audit = context.dependencies.audit as AuditOutput | undefined;
    if (audit && !audit.passed)
      throw new ValidationError(`the site failed its audit (score ${audit.score}); not publishing it`);
    const spec = approvedPlan(context)?.spec;
    if (!spec) throw new ValidationError('deploy needs the planner step among its dependencies');

    const retried = context.attempt > 1 ? await this.publishedByThisWorkflow(context) : null;
    if (retried) return retried;

    const memory = context.dependencies.memory as MemoryOutput | undefined;
    const existing =
      context.workflowType === WorkflowType.UpdateSite
        ? (memory?.siteId ?? (await this.store.load(context.sessionId)).siteId)
        : await this.replayedSiteId(context);
    if (context.workflowType === WorkflowType.UpdateSite && !existing) {
      throw new ValidationError(`session ${context.sessionId} has no site to update; run CREATE_SITE first`);
    }
    const siteId = existing ?? (await this.newSiteId(spec));
    context.signal.throwIfAborted();
    const published = await this.repository.publish(siteId, built.files, {
      spec,
      workflowId: context.workflowId,
      workflowType: context.workflowType,
      sessionId: context.sessionId,
      change: (context.dependencies.planner as PlannerOutput).change,
    });
    await this.store.saveSite(context.sessionId, { siteId, spec });
    context.log(LogLevel.Info, `published ${siteId} version ${published.version}`, {
      siteId,
      version: published.version,
      files: published.files.length,
    });
    return { siteId, version: published.version, path: sitePath(siteId), action: 'published' };
  }

  /**
   * The site a replayed CREATE_SITE created, which the replay publishes a new version of rather
   * than creating another: the session's site (the replayed workflow's deploy recorded it there).
   * Null for a workflow that is no replay, or a session without a site.
   */
  private async replayedSiteId(context: AgentContext): Promise<string | null> {
    if (!context.replayOf) return null;
    return (await this.store.load(context.sessionId)).siteId ?? null;
  }

  /**
   * A retried step whose first attempt published but failed before returning must not publish
   * again (a CREATE_SITE would make a second site): the version it wrote is found by workflow id.
   */
  private async publishedByThisWorkflow(context: AgentContext): Promise<DeployOutput | null> {
    const { siteId } = await this.store.load(context.sessionId);
    if (!siteId || (await this.repository.currentVersion(siteId)) === null) return null;
    const current = await this.repository.readVersion(siteId);
    if (current.metadata.workflowId !== context.workflowId) return null;
    context.log(
      LogLevel.Info,
      `version ${current.version} of ${siteId} was already published by this workflow`,
    );
    return { siteId, version: current.version, path: sitePath(siteId), action: 'published' };
  }

  private async activate(context: AgentContext): Promise<DeployOutput> {
    const { siteId, version: asked } = readSiteReference(context.input);
    try {
      const versions = await this.repository.listVersions(siteId);
      const current = await this.repository.currentVersion(siteId);
      if (current === null) throw new ValidationError(`site ${siteId} is not published`);
      const version = asked ?? versions.filter((candidate) => candidate < current).pop();
      if (version === undefined) {
        throw new ValidationError(
          `site ${siteId} has no version before ${current} to roll back to; pass input.version to re-publish one`,
        );
      }
      await this.repository.activate(siteId, version);
      context.log(LogLevel.Info, `site ${siteId} now serves version ${version} (was ${current})`, {
        siteId,
        version,
        previous: current,
      });
      await this.remember(siteId, version, context);
      return { siteId, version, path: sitePath(siteId), action: 'activated' };
    } catch (error) {
      if (error instanceof SiteNotFoundError) throw new ValidationError(error.message, { cause: error });
      throw error;
    }
  }

  /**
   * After a rollback the session's next update must start from the spec that is live now. A
   * session that owns another site keeps it: rolling back someone's site does not adopt it.
   */
  private async remember(siteId: string, version: number, context: AgentContext): Promise<void> {
    const memory = await this.store.load(context.sessionId);
    if (memory.siteId !== null && memory.siteId !== siteId) {
      context.log(
        LogLevel.Info,
        `session ${context.sessionId} keeps its own site ${memory.siteId} in memory`,
      );
      return;
    }
    const spec = (await this.repository.readVersion(siteId, version)).metadata.spec as SiteSpec | undefined;
    if (spec) await this.store.saveSite(context.sessionId, { siteId, spec });
  }

  private async newSiteId(spec: SiteSpec): Promise<string> {
    const base = slugify(spec.name, 40) || spec.kind;
    for (let attempt = 0; attempt < 5; attempt++) {
      const siteId = `${base}-${randomBytes(3).toString('hex')}`;
      if (
        (await this.repository.currentVersion(siteId)) === null &&
        (await this.repository.listVersions(siteId)).length === 0
      )
        return siteId;
    }
    throw new Error(`could not find a free site id for ${base}`);
  }
}

function sitePath(siteId: string): string {
  return `/sites/${siteId}/`;
}
