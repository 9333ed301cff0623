import { SetMetadata } from '@nestjs/common';

export const ROUTE_ERRORS_METADATA = 'docs:errors';
export const ROUTE_EXAMPLES_METADATA = 'docs:examples';

/**
 * Errors a route's service gives, each with why; a 422 carries InvalidInputResponse. 400, 401, 403
 * for a role, 413, 429 and 503 come from the route's rules (route-rules.ts).
 */
export type RouteErrors = Partial<Record<403 | 404 | 409 | 422, string>>;

/** Example bodies of a route: the request's, and the answer's by status. */
export type RouteExamples = { request?: object } & Partial<Record<number, object>>;

/**
 * Describes the error answers of a route. Kept as route metadata and added to the document after
 * Swagger has built it: a response decorator here would stop Swagger from adding the success
 * response the plugin read from the route's return type.
 */
export const ApiErrors = (errors: RouteErrors) => SetMetadata(ROUTE_ERRORS_METADATA, errors);

/** Gives a route's request and answers examples, added to the document as ApiErrors are. */
export const ApiExamples = (examples: RouteExamples) => SetMetadata(ROUTE_EXAMPLES_METADATA, examples);
