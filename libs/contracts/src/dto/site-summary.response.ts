/** One published site in `GET /sites`. */
export class SiteSummaryResponse {
  siteId!: string;
  /** The version served at `/sites/:siteId/`. */
  currentVersion!: number;
  /** How many versions are kept (every publish adds one; rollbacks add none). */
  versionCount!: number;
  /** ISO-8601 time the served version was last switched (published or rolled back to). */
  updatedAt!: string;
  /** URL path of the served site under the gateway. */
  path!: string;
}
