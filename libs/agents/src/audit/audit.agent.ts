import { Agent, AgentContext, AgentDescriptor, ValidationError } from '@app/agent-sdk';
import { LogLevel } from '@app/contracts';
import { BuiltSite } from '../builder/site-renderer';
import { SiteNotFoundError, SiteRepository } from '@app/sites';
import { readSiteReference } from '../workflow-input.model';
import { AuditReport } from './audit-report.model';
import { DEFAULT_AUDIT_OPTIONS, SiteAuditorOptions } from './site-auditor';
import { auditSiteTask } from './site-audit.task';

/** The audit step's output; `siteId` and `version` are set when a published site was audited. */
export interface AuditOutput extends AuditReport {
  siteId: string | null;
  version: number | null;
}

const FINDINGS_IN_ERROR = 15;
/** Findings carried in the audit's log event, so a client following the events sees the report. */
const FINDINGS_IN_LOG = 50;

/**
 * Audits the builder's files as a gate before deploy (a failing site throws, so nothing bad is
 * published), or, with no builder step before it (AUDIT_ONLY), reports on a published site.
 */
export class AuditAgent implements Agent<AuditOutput> {
  readonly descriptor: AgentDescriptor = {
    name: 'audit',
    version: '1.0.0',
    description:
      'Checks HTML validity, accessibility, SEO, links and size; blocks a failing site from being published.',
    timeoutSeconds: 120,
    // jsdom, axe-core and html-validate: about a second of CPU for a small site.
    cpuTasks: [auditSiteTask],
  };

  private readonly repository: SiteRepository;
  private readonly auditOptions: Required<SiteAuditorOptions>;

  constructor(options: { repository: SiteRepository; threshold?: number; sizeBudgetBytes?: number }) {
    this.repository = options.repository;
    this.auditOptions = {
      threshold: options.threshold ?? DEFAULT_AUDIT_OPTIONS.threshold,
      sizeBudgetBytes: options.sizeBudgetBytes ?? DEFAULT_AUDIT_OPTIONS.sizeBudgetBytes,
    };
  }

  async execute(context: AgentContext): Promise<AuditOutput> {
    const built = context.dependencies.builder as BuiltSite | undefined;
    if (built) return this.gate(built, context);
    return this.report(context);
  }

  private async gate(built: BuiltSite, context: AgentContext): Promise<AuditOutput> {
    const report = await this.audit(built.files, context);
    if (!report.passed) {
      const listed = report.findings
        .slice(0, FINDINGS_IN_ERROR)
        .map(
          (finding) =>
            `[${finding.severity}] ${finding.page} ${finding.rule}: ${finding.message}${finding.selector ? ` (${finding.selector})` : ''}`,
        );
      const more =
        report.findings.length > FINDINGS_IN_ERROR
          ? `\n…and ${report.findings.length - FINDINGS_IN_ERROR} more`
          : '';
      throw new ValidationError(
        `the site failed its audit (score ${report.score}, threshold ${this.auditOptions.threshold}); not publishing it:\n${listed.join('\n')}${more}`,
      );
    }
    return { ...report, siteId: null, version: null };
  }

  private async report(context: AgentContext): Promise<AuditOutput> {
    const { siteId, version } = readSiteReference(context.input);
    let published: { version: number; files: Record<string, string> };
    try {
      published = await this.repository.readFiles(siteId, version ?? undefined);
    } catch (error) {
      if (error instanceof SiteNotFoundError) throw new ValidationError(error.message, { cause: error });
      throw error;
    }
    const report = await this.audit(published.files, context);
    return { ...report, siteId, version: published.version };
  }

  private async audit(files: Record<string, string>, context: AgentContext): Promise<AuditReport> {
    const report = await context.runCpuTask(auditSiteTask, { files, options: this.auditOptions });
    this.logReport(report, context);
    return report;
  }

  private logReport(report: AuditReport, context: AgentContext): void {
    for (const note of report.notes) context.log(LogLevel.Debug, note);
    context.log(
      report.passed ? LogLevel.Info : LogLevel.Warning,
      `audit score ${report.score}, ${report.findings.length} findings`,
      {
        score: report.score,
        passed: report.passed,
        bySeverity: countBy(report.findings.map((finding) => finding.severity)),
        findings: report.findings.slice(0, FINDINGS_IN_LOG),
      },
    );
  }
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
