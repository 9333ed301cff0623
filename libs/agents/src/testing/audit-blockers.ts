import { AuditFinding } from '../audit/audit-report.model';

/**
 * What a test of a published site refuses: any html-validate finding, and axe's serious or
 * critical ones. Stricter than the auditor's own gate, which lets minor markup findings pass.
 */
export function blockingFindings(findings: AuditFinding[]): AuditFinding[] {
  return findings.filter(
    (finding) =>
      finding.rule.startsWith('html-validate/') ||
      (finding.rule.startsWith('axe/') &&
        (finding.severity === 'serious' || finding.severity === 'critical')),
  );
}
