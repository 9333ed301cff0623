import { ExecutionContext, INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import {
  getSchemaPath,
  MediaTypeObject,
  OpenAPIObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
} from '@nestjs/swagger';
import { ApiKeyRole } from '@app/contracts';
import { isInfrastructureController, isPublicHandler } from '../auth/public-route';
import { ROLES_METADATA } from '../auth/roles.decorator';
import { ApiErrorResponse, InvalidInputResponse } from './api-error.dto';
import {
  ROUTE_ERRORS_METADATA,
  ROUTE_EXAMPLES_METADATA,
  RouteErrors,
  RouteExamples,
} from './route-docs.decorators';

/** The name of the bearer scheme in the document's security schemes. */
export const BEARER_SCHEME = 'bearer';

/**
 * What the global guards, pipes and body parser do to one route, read from the metadata they
 * read themselves, so the error answers they give are described where they occur and nowhere else.
 */
export interface RouteRules {
  /** No API key needed (ApiKeyGuard): `@Public()`, health and metrics. */
  isPublic: boolean;
  /** The roles `@Roles` asks for; null for any key. */
  roles: ApiKeyRole[] | null;
  /** Counted by the per-key rate limit (everything but health and metrics). */
  isRateLimited: boolean;
  /** Takes a JSON body (the body parser's limit, and its validation). */
  hasBody: boolean;
  /** Something in the request is validated: a body, a query DTO, or a parameter with a pipe. */
  isValidated: boolean;
  /** The query DTO's defaults: the validation pipe fills these in, so they may be left out. */
  queryDefaults: Record<string, unknown>;
  /** What `@ApiErrors` says of the route. */
  errors: RouteErrors;
  /** What `@ApiExamples` gives. */
  examples: RouteExamples;
}

/** The operation id of a route in the document: `<Controller>_<method>`, Swagger's default made explicit. */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  return `${controllerKey}_${methodKey}`;
}

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/** Every route handler of the app's controllers with its rules, by operation id. */
export function routeRulesOf(app: INestApplication): Map<string, RouteRules> {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const rules = new Map<string, RouteRules>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | null;
      if (!controller) continue;
      for (const methodKey of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[methodKey];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined)
          continue;
        const route = handler as ReturnType<ExecutionContext['getHandler']>;
        const routeArguments = Object.entries(
          (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, methodKey) ?? {}) as Record<
            string,
            RouteArgument
          >,
        ).map(([key, argument]) => ({ type: Number(key.split(':')[0]), ...argument }));
        const hasBody = routeArguments.some((argument) => argument.type === RouteParamtypes.BODY);
        const parameterTypes = (Reflect.getMetadata('design:paramtypes', controller.prototype, methodKey) ??
          []) as unknown[];
        const queryType = routeArguments
          .filter((argument) => argument.type === RouteParamtypes.QUERY && argument.data === undefined)
          .map((argument) => parameterTypes[argument.index])
          .find((type): type is new () => object => typeof type === 'function' && type !== Object);
        rules.set(operationIdOf(controller.name, methodKey), {
          isPublic: isPublicHandler(reflector, route, controller),
          roles:
            reflector.getAllAndOverride<ApiKeyRole[] | undefined>(ROLES_METADATA, [route, controller]) ??
            null,
          isRateLimited: !isInfrastructureController(controller),
          hasBody,
          isValidated:
            hasBody ||
            routeArguments.some(
              (argument) =>
                (argument.type === RouteParamtypes.QUERY && argument.data === undefined) ||
                (argument.pipes ?? []).length > 0,
            ),
          queryDefaults: queryType ? { ...new queryType() } : {},
          errors: reflector.get<RouteErrors | undefined>(ROUTE_ERRORS_METADATA, route) ?? {},
          examples: reflector.get<RouteExamples | undefined>(ROUTE_EXAMPLES_METADATA, route) ?? {},
        });
      }
    }
  }
  return rules;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/**
 * The document with each operation's security, its query's defaults, its own error answers
 * (`@ApiErrors`), those its rules give (400, 401, 403, 413, 429, 503) where it has none for that
 * status, and its examples (`@ApiExamples`).
 */
export function withRouteRules(document: OpenAPIObject, rules: Map<string, RouteRules>): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      const rule = operation?.operationId ? rules.get(operation.operationId) : undefined;
      if (!operation || !rule) continue;
      operation.security = rule.isPublic ? [] : [{ [BEARER_SCHEME]: [] }];
      for (const parameter of operation.parameters ?? []) {
        if (!('in' in parameter) || parameter.in !== 'query' || !(parameter.name in rule.queryDefaults))
          continue;
        parameter.required = false;
        if (parameter.schema && !('$ref' in parameter.schema))
          parameter.schema.default = rule.queryDefaults[parameter.name];
      }
      for (const [status, description] of Object.entries(rule.errors))
        operation.responses[status] = errorResponse(
          description,
          status === '422' ? InvalidInputResponse : ApiErrorResponse,
        );
      for (const [status, response] of Object.entries(errorsOfRules(rule))) {
        if (response && !operation.responses[status]) operation.responses[status] = response;
      }
      const { request, ...answers } = rule.examples;
      if (request) jsonContentOf(operation.requestBody, `${operation.operationId} request`).example = request;
      for (const [status, example] of Object.entries(answers))
        jsonContentOf(operation.responses[status], `${operation.operationId} ${status}`).example = example;
    }
  }
  return document;
}

function errorsOfRules(rule: RouteRules): Record<number, ResponseObject | false> {
  return {
    400:
      rule.isValidated &&
      errorResponse('The request breaks a rule of its parameters, query or body; the message says which.'),
    401:
      !rule.isPublic &&
      errorResponse('No API key, or one that is unknown or revoked.', ApiErrorResponse, {
        'WWW-Authenticate': { description: '`Bearer`', schema: { type: 'string' } },
      }),
    403:
      rule.roles !== null && errorResponse(`The route needs a key with the role ${rule.roles.join(' or ')}.`),
    413: rule.hasBody && errorResponse('The JSON body is larger than the limit (REQUEST_BODY_LIMIT_BYTES).'),
    429:
      rule.isRateLimited &&
      errorResponse(
        'The key has spent its requests for this minute (per address on public routes), REST and Socket.IO together.',
        ApiErrorResponse,
        { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
      ),
    503:
      !rule.isPublic &&
      errorResponse('PostgreSQL, where API keys are checked, is unavailable; try again shortly.'),
  };
}

function errorResponse(
  description: string,
  body: Type<unknown> = ApiErrorResponse,
  headers?: ResponseObject['headers'],
): ResponseObject {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: { $ref: getSchemaPath(body) } } },
  };
}

/** The JSON content of a request body or response, which an example must have something to illustrate. */
function jsonContentOf(
  body: RequestBodyObject | ResponseObject | ReferenceObject | undefined,
  what: string,
): MediaTypeObject {
  const content = body && 'content' in body ? body.content?.['application/json'] : undefined;
  if (!content) throw new Error(`an example is given for ${what}, which has no JSON body`);
  return content;
}
