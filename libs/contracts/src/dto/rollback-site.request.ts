import { IsInt, Min } from 'class-validator';

/** Body of `POST /sites/:siteId/rollback`. */
export class RollbackSiteRequest {
  /** The version to serve from now on; one of the site's versions. */
  @IsInt()
  @Min(1)
  version!: number;
}
