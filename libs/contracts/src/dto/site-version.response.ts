/** One version of a site in `GET /sites/:siteId/versions`, oldest first. */
export class SiteVersionResponse {
  version!: number;
  /** True for the version served now. */
  isCurrent!: boolean;
  /** ISO-8601 time the version was published. */
  publishedAt!: string;
  fileCount!: number;
  totalBytes!: number;
  /** The workflow that published the version, when a workflow did. */
  workflowId!: string | null;
  workflowType!: string | null;
  /** What an UPDATE_SITE changed in this version, in words; null for a new site. */
  change!: string | null;
}
