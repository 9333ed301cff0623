import { Injectable, NestMiddleware } from '@nestjs/common';
import { InjectMetric, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { NextFunction, Request, Response } from 'express';
import { Histogram } from 'prom-client';

export const HTTP_REQUEST_DURATION_METRIC = 'http_request_duration_seconds';

export const HTTP_REQUEST_DURATION_PROVIDER = makeHistogramProvider({
  name: HTTP_REQUEST_DURATION_METRIC,
  help: 'REST requests answered by the gateway, by method, route template and status code',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

/** Requests no route matched (static dashboard files, 404s): one series, not one per path. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request, guards' refusals included (an interceptor would miss them), labelled by the
 * route's template (`/workflows/:id`), never the raw path, so the series stay few.
 */
@Injectable()
export class HttpRequestMetrics implements NestMiddleware {
  constructor(@InjectMetric(HTTP_REQUEST_DURATION_METRIC) private readonly duration: Histogram<string>) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const stop = this.duration.startTimer();
    response.once('finish', () => {
      const route = (request.route as { path?: unknown } | undefined)?.path;
      stop({
        method: request.method,
        route: typeof route === 'string' ? `${request.baseUrl}${route}` : UNMATCHED_ROUTE,
        status: String(response.statusCode),
      });
    });
    next();
  }
}
