import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';

/** The URL the dashboard is served under; the SPA is built with the same base (apps/dashboard). */
export const DASHBOARD_PATH = '/dashboard';

/**
 * The dashboard runs only its own bundled script and styles, talks only to this gateway (REST and
 * Socket.IO), frames only its own origin (site previews under /sites) and is framed by nobody.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the dashboard's static build at /dashboard: hashed assets cached for a year, and
 * index.html (never cached) for every other path under it, where the SPA's router takes over.
 * A gateway started without a build (tests, `ts-node`) answers 404 there, saying how to build it.
 */
export function serveDashboard(app: NestExpressApplication, directory: string): void {
  const root = resolve(directory);
  const index = join(root, 'index.html');
  const built = existsSync(index);
  if (!built) new Logger('Dashboard').warn(`no dashboard build in ${root}: run npm run build:dashboard`);
  const securityHeaders = (_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('Content-Security-Policy', DASHBOARD_CONTENT_SECURITY_POLICY);
    response.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
  app.use(DASHBOARD_PATH, securityHeaders);
  if (built) {
    app.use(
      `${DASHBOARD_PATH}/assets`,
      express.static(join(root, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
    );
    app.use(DASHBOARD_PATH, express.static(root, { index: false, maxAge: 0 }));
  }
  app.use(DASHBOARD_PATH, (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (!built) {
      response
        .status(404)
        .json({ statusCode: 404, message: `the dashboard is not built: run npm run build:dashboard` });
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index);
  });
}
