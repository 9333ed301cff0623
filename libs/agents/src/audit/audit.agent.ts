import { Agent, AgentContext, AgentDescriptor, RevisionRequested, ValidationError } from '@app/agent-sdk';
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

/** Findings named in the one-line summary (the log line, and the workflow's error at the bound). */
const FINDINGS_IN_SUMMARY = 3;
/** Findings sent back to the builder: a bound on the feedback's size in the workflow's state. */
const FINDINGS_IN_FEEDBACK = 200;
/** Findings carried in the audit's log event, so a client following the events sees the report. */
const FINDINGS_IN_LOG = 50;

/** What the audit sends back to the builder with a site below its threshold (`context.feedback`). */
export interface AuditFeedback {
  score: number;
  threshold: number;
  findings: AuditReport['findings'];
}

/**
 * Audits the builder's files as a gate before deploy, or, with no builder step before it
 * (AUDIT_ONLY), reports on a published site. A site below the threshold is never published: the
 * audit sends it back to the builder with its findings (RevisionRequested; CREATE_SITE and
 * UPDATE_SITE declare that loop), and the workflow fails when the last iteration still fails.
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
      const { threshold } = this.auditOptions;
      // The blocking findings first: they fail a site whatever its score.
      const findings = [...report.findings].sort(
        (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
      );
      const listed = findings
        .slice(0, FINDINGS_IN_SUMMARY)
        .map((finding) => `[${finding.severity}] ${finding.page} ${finding.rule}`);
      const more =
        findings.length > FINDINGS_IN_SUMMARY ? `, and ${findings.length - FINDINGS_IN_SUMMARY} more` : '';
      const feedback: AuditFeedback = {
        score: report.score,
        threshold,
        findings: findings.slice(0, FINDINGS_IN_FEEDBACK),
      };
      throw new RevisionRequested(
        `the site failed its audit (score ${report.score}, threshold ${threshold}); not publishing it: ${listed.join(', ')}${more}`,
        feedback,
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

const SEVERITY_ORDER = ['critical', 'serious', 'moderate', 'minor'];

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
