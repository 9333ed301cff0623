import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiMovedPermanentlyResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { RollbackSiteRequest } from '@app/contracts';
import { Roles } from '../auth/roles.decorator';
import { Public } from '../auth/public.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { SitesService } from './sites.service';

/** What this controller uses of Express's request and response (`@types/express` is not installed). */
interface HttpRequest {
  /** The URL's path, still percent-encoded. */
  readonly path: string;
}
interface HttpResponse {
  set(headers: Record<string, string>): unknown;
  redirect(status: number, url: string): void;
  sendFile(path: string, options: Record<string, unknown>, callback: (error?: Error) => void): void;
}

/**
 * Site pages load nothing from elsewhere and run no script: their own stylesheet and images
 * only, no forms, framed only by this origin (the dashboard's preview).
 */
const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

@ApiTags('sites')
@Controller('sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  /** The published sites, with the version each serves. */
  @Get()
  list() {
    return this.sites.list();
  }

  /** A site's versions, oldest first; the current one is marked. */
  // Declared before the file route, which would otherwise take `/sites/:siteId/versions`.
  @Get(':siteId/versions')
  @ApiErrors({ 404: 'The site is not published.' })
  versions(@Param('siteId') siteId: string) {
    return this.sites.versions(siteId);
  }

  /** Serves another of the site's versions from now on (admins); answers the versions. */
  @Post(':siteId/rollback')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @Roles('admin')
  @ApiErrors({ 404: 'The site is not published, or has no such version.' })
  rollback(@Param('siteId') siteId: string, @Body() request: RollbackSiteRequest) {
    return this.sites.rollback(siteId, request.version);
  }

  /**
   * The published site itself: public web pages, not API. `/sites/:siteId/versions/:n/…` serves
   * version n (a preview before a rollback); versions are immutable, and public like the site.
   */
  @Public()
  @Get(':siteId{/*path}')
  @ApiParam({ name: 'siteId' })
  @ApiParam({
    name: 'path',
    description:
      'A file of the site’s current version, e.g. `gallery.html`, or `versions/<n>/<file>` of version n.',
  })
  @ApiProduces('text/html', 'text/css', 'image/svg+xml', 'application/octet-stream')
  @ApiOkResponse({
    description: 'The file, with an ETag; `X-Site-Version` names the version served.',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiMovedPermanentlyResponse({ description: '`/sites/:siteId` redirects to `/sites/:siteId/`.' })
  @ApiErrors({ 404: 'The site is not published, or has no such file.' })
  async serve(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    // The raw path, not the decoded route parameter: the repository decodes it once and checks it.
    const answer = await this.sites.resolve(request.path);
    if (answer.kind === 'redirect') return response.redirect(HttpStatus.MOVED_PERMANENTLY, answer.location);
    response.set({
      'Content-Type': answer.contentType,
      // A URL keeps its path across versions: revalidate every time (cheap with the ETag) so a
      // publish or rollback shows at once.
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': SITE_CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Site-Version': String(answer.version),
    });
    await new Promise<void>((resolve, reject) =>
      // The repository has refused dot segments inside the site; SITES_DIR itself may have some.
      response.sendFile(
        answer.absolutePath,
        { dotfiles: 'allow', cacheControl: false, etag: true },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
}
