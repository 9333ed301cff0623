import { defineCpuTask } from '@app/agent-sdk';
import { AuditReport } from './audit-report.model';
import { DEFAULT_AUDIT_OPTIONS, SiteAuditor, SiteAuditorOptions } from './site-auditor';

/** What the audit hands to the CPU pool: the site's files and the deployment's audit settings. */
export interface AuditSiteInput {
  files: Record<string, string>;
  options: SiteAuditorOptions;
}

/**
 * Auditors of this thread by their options: each prepares axe and the validator once and then
 * audits every site it is given. Options come from configuration, so there are one or two.
 */
const auditors = new Map<string, SiteAuditor>();
const MAX_AUDITORS = 4;

function auditorFor(options: SiteAuditorOptions): SiteAuditor {
  const key = JSON.stringify([
    options.threshold ?? DEFAULT_AUDIT_OPTIONS.threshold,
    options.sizeBudgetBytes ?? DEFAULT_AUDIT_OPTIONS.sizeBudgetBytes,
  ]);
  let auditor = auditors.get(key);
  if (!auditor) {
    if (auditors.size >= MAX_AUDITORS) {
      // Closing frees their jsdom windows now rather than whenever V8 collects them.
      for (const evicted of auditors.values()) evicted.close();
      auditors.clear();
    }
    auditor = new SiteAuditor(options);
    auditors.set(key, auditor);
  }
  return auditor;
}

/** Audits a site in a worker thread of the CPU pool (jsdom, axe-core and html-validate). */
export function auditSite({ files, options }: AuditSiteInput): Promise<AuditReport> {
  return auditorFor(options).audit(files);
}

/** Run when a pool thread starts: one audit of a tiny page loads and compiles every tool. */
export async function warm(): Promise<void> {
  await auditSite({
    files: {
      'index.html':
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Warm</title></head><body><main><h1>Warm</h1></main></body></html>',
    },
    options: {},
  });
}

export const auditSiteTask = defineCpuTask<AuditSiteInput, AuditReport>(
  __dirname,
  'site-audit.task',
  'auditSite',
);
