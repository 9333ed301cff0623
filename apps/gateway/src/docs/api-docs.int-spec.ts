import { METHODS as METHODS_OF_HTTP } from 'node:http';
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory, ModulesContainer } from '@nestjs/core';
import { GATEWAY_METADATA, MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Parser } from '@asyncapi/parser';
import { ServerSocketEvent, WorkflowEventType } from '@app/contracts';
import Ajv from 'ajv';
import type { OpenAPIV3 } from 'openapi-types';
import { TestNamespace } from '../../../../test/support/test-environment';
import { GatewayModule } from '../gateway.module';
import { DOCS_PATHS, setupApiDocs } from './api-docs';
import { toJsonSchema } from './asyncapi-document';

/**
 * Every route Express serves, as `GET /workflows/{id}` in OpenAPI's path syntax. A route for every
 * HTTP method is Nest's middleware (registered with `all()`), not an endpoint: the gateway has no
 * `@All()` route.
 */
function routesServedBy(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  const isForEveryMethod = (methods: Record<string, boolean>) =>
    METHODS_OF_HTTP.every((method) => methods[method.toLowerCase()]);
  return express.router.stack.flatMap(({ route }) =>
    route && !isForEveryMethod(route.methods)
      ? Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${openApiPath(route.path)}`)
      : [],
  );
}

/** Express 5 paths (`/sites/:siteId{/*path}`) as OpenAPI writes them (`/sites/{siteId}/{path}`). */
function openApiPath(path: string): string {
  return path
    .replace(/\{\/\*(\w+)\}/g, '/{$1}')
    .replace(/\/\*(\w+)/g, '/{$1}')
    .replace(/:(\w+)/g, '{$1}');
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

function operationsOf(document: OpenAPIV3.Document): [string, OpenAPIV3.OperationObject][] {
  return Object.entries(document.paths).flatMap(
    ([path, item]) =>
      METHODS.flatMap((method) =>
        item?.[method] ? [[`${method.toUpperCase()} ${path}`, item[method]]] : [],
      ) as [string, OpenAPIV3.OperationObject][],
  );
}

/** The events each Socket.IO gateway of the app handles, read from its `@SubscribeMessage` handlers. */
function handledSocketEvents(app: INestApplication): string[] {
  const events: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as Type<unknown> | null;
      if (!type?.prototype || !Reflect.getMetadata(GATEWAY_METADATA, type)) continue;
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler === 'function' && Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler))
          events.push(Reflect.getMetadata(MESSAGE_METADATA, handler) as string);
      }
    }
  }
  return events;
}

interface AsyncApiOperation {
  action: 'send' | 'receive';
  messages: { $ref: string }[];
  reply?: { messages: { $ref: string }[] };
}

describe('the API documents the gateway serves', () => {
  const namespace = new TestNamespace();
  const environment = { ...process.env };
  let app: INestApplication;
  let url: string;
  let openApi: OpenAPIV3.Document;
  let asyncApi: {
    operations: Record<string, AsyncApiOperation>;
    channels: { socket: { messages: Record<string, { $ref: string }> } };
    components: {
      messages: Record<string, { name: string; payload?: { $ref: string } }>;
      schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    };
  };

  beforeAll(async () => {
    await namespace.prepare();
    Object.assign(process.env, namespace.env());
    app = await NestFactory.create(GatewayModule, { logger: false });
    // As main.ts does; its other settings add no route.
    await setupApiDocs(app);
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    openApi = (await (await fetch(`${url}${DOCS_PATHS.openApi}`)).json()) as OpenAPIV3.Document;
    asyncApi = (await (await fetch(`${url}${DOCS_PATHS.asyncApi}`)).json()) as typeof asyncApi;
  });

  afterAll(async () => {
    await app?.close();
    process.env = environment;
    await namespace.dispose();
  });

  it('serves the OpenAPI UI and both documents without an API key', async () => {
    expect((await fetch(`${url}${DOCS_PATHS.ui}/`)).status).toBe(200);
    expect(openApi.openapi).toMatch(/^3\./);
    expect((asyncApi as unknown as { asyncapi: string }).asyncapi).toBe('3.0.0');
  });

  it('is a valid OpenAPI document (swagger-parser), every reference resolved', async () => {
    await expect(SwaggerParser.validate(structuredClone(openApi) as never)).resolves.toBeDefined();
  });

  it('documents every route Express serves, with its method, and no route it does not serve', () => {
    const served = routesServedBy(app).filter((route) => !route.split(' ')[1].startsWith(DOCS_PATHS.ui));
    const documented = operationsOf(openApi).map(([route]) => route);
    expect(served.length).toBeGreaterThan(25);
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((route) => !served.includes(route))).toEqual([]);
  });

  it('gives every operation a summary, a success answer with its body, and the errors of its rules', () => {
    const problems: string[] = [];
    for (const [route, operation] of operationsOf(openApi)) {
      const statuses = Object.keys(operation.responses);
      const success = statuses.filter((status) => /^[23]/.test(status));
      if (!operation.summary) problems.push(`${route}: no summary`);
      if (success.length === 0) problems.push(`${route}: no success answer`);
      for (const status of success.filter((status) => status !== '204' && status !== '301')) {
        const response = operation.responses[status] as OpenAPIV3.ResponseObject;
        if (!Object.values(response.content ?? {}).some((media) => media.schema))
          problems.push(`${route}: ${status} has no schema`);
      }
      const isPublic = operation.security?.length === 0;
      if (!isPublic && !['401', '429', '503'].every((status) => statuses.includes(status)))
        problems.push(`${route}: needs a key but lacks 401, 429 or 503`);
      if (operation.requestBody && !['400', '413'].every((status) => statuses.includes(status)))
        problems.push(`${route}: takes a body but lacks 400 or 413`);
    }
    expect(problems).toEqual([]);
  });

  it('describes the answers the main routes give, as the services give them', () => {
    const responses = (route: string) =>
      Object.fromEntries(operationsOf(openApi))[route].responses as Record<string, OpenAPIV3.ResponseObject>;
    expect(Object.keys(responses('POST /workflows'))).toEqual(
      expect.arrayContaining(['202', '400', '401', '413', '422', '429', '503']),
    );
    expect(responses('POST /workflows')['422'].content?.['application/json'].schema).toEqual({
      $ref: '#/components/schemas/InvalidInputResponse',
    });
    expect(Object.keys(responses('POST /workflows/{id}/cancel'))).toEqual(
      expect.arrayContaining(['200', '404', '409']),
    );
    expect(Object.keys(responses('POST /admin/keys'))).toContain('403');
    expect(Object.keys(responses('GET /workflows/{id}'))).not.toContain('403');
    expect(Object.keys(responses('GET /health'))).toEqual(expect.arrayContaining(['200', '503']));
    const logs = Object.fromEntries(operationsOf(openApi))['GET /workflows/{id}/logs'];
    expect(logs.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          in: 'query',
          name: 'limit',
          required: false,
          schema: expect.objectContaining({ default: 100 }),
        }),
        expect.objectContaining({ in: 'path', name: 'id', required: true }),
      ]),
    );
  });

  it('gives examples that match their schemas', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({
      $id: 'openapi',
      components: {
        schemas: Object.fromEntries(
          Object.entries(openApi.components?.schemas ?? {}).map(([name, schema]) => [
            name,
            toJsonSchema(schema as never),
          ]),
        ),
      },
    });
    const examples: { where: string; schema: unknown; example: unknown }[] = [];
    for (const [route, operation] of operationsOf(openApi)) {
      const bodies = [
        ['request', operation.requestBody as OpenAPIV3.RequestBodyObject | undefined],
        ...Object.entries(operation.responses as Record<string, OpenAPIV3.ResponseObject>),
      ] as const;
      for (const [what, body] of bodies) {
        const media = body?.content?.['application/json'];
        if (media?.example !== undefined)
          examples.push({ where: `${route} ${what}`, schema: media.schema, example: media.example });
      }
    }
    expect(examples.map(({ where }) => where)).toEqual(
      expect.arrayContaining([
        'POST /workflows request',
        'POST /workflows 202',
        'POST /workflows 422',
        'GET /workflows 200',
        'GET /workflows/{id} 200',
        'POST /workflows/{id}/cancel 200',
        'GET /workflows/{id}/logs 200',
      ]),
    );
    const failures = examples.flatMap(({ where, schema, example }) => {
      const { $ref } = schema as { $ref: string };
      const validate = ajv.compile({ $ref: `openapi${$ref}` });
      return validate(example) ? [] : [`${where}: ${ajv.errorsText(validate.errors)}`];
    });
    expect(failures).toEqual([]);
  });

  it('is a valid AsyncAPI document (@asyncapi/parser): no error, no warning', async () => {
    const { document, diagnostics } = await new Parser().parse(structuredClone(asyncApi) as never);
    expect(document).toBeDefined();
    expect(
      diagnostics
        .filter((diagnostic) => diagnostic.severity <= 1)
        .map(({ message, path }) => `${path.join('.')}: ${message}`),
    ).toEqual([]);
  });

  it('gives a message payload the fields its class inherits (workflow.approve: the REST body and where)', () => {
    const schema = asyncApi.components.schemas.DecideApprovalMessage;
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([
      'comment',
      'payload',
      'stepId',
      'workflowId',
    ]);
    expect(schema.required?.sort()).toEqual(['stepId', 'workflowId']);
  });

  it('describes every event the gateway handles, with its ack, and every event the server sends', () => {
    const messageName = (reference: { $ref: string }) => {
      const id = reference.$ref.split('/').at(-1) as string;
      expect(asyncApi.channels.socket.messages[id]).toBeDefined();
      return asyncApi.components.messages[id].name;
    };
    const operations = Object.values(asyncApi.operations);
    const received = operations.filter(({ action }) => action === 'receive');
    const handled = handledSocketEvents(app);
    expect(handled).toEqual(expect.arrayContaining(['workflow.start', 'workflow.subscribe', 'ping']));
    for (const event of handled) {
      const operation = received.find(({ messages }) => messages.map(messageName).includes(event));
      expect({ event, operation }).toEqual({ event, operation: expect.anything() });
      expect(operation?.reply?.messages.map(messageName)).toEqual([`${event} ack`]);
    }
    const sent = operations
      .filter(({ action }) => action === 'send')
      .flatMap(({ messages }) => messages.map(messageName));
    expect(sent.sort()).toEqual(
      [...new Set<string>([...Object.values(WorkflowEventType), ...Object.values(ServerSocketEvent)])].sort(),
    );
  });
});
