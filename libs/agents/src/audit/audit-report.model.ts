export type FindingSeverity = 'critical' | 'serious' | 'moderate' | 'minor';

/** One problem found on one page. */
export interface AuditFinding {
  /** Tool and rule: `html-validate/close-order`, `axe/image-alt`, `seo/h1-count`, `size-budget`. */
  rule: string;
  severity: FindingSeverity;
  /** The page's file, or `*` for the whole site. */
  page: string;
  message: string;
  selector?: string;
}

/** The audit step's output. */
export interface AuditReport {
  /** 100 minus a weight per finding (critical 20, serious 8, moderate 3, minor 1), never below 0. */
  score: number;
  passed: boolean;
  findings: AuditFinding[];
  pages: string[];
  totalBytes: number;
  /** What the audit could not check, and why. */
  notes: string[];
}
