import { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { buildAsyncApiDocument } from './asyncapi-document';
import openApiPluginMetadata from './openapi.metadata';
import { buildOpenApiDocument } from './openapi-document';

/** Where the documents are served; public, like the UI. */
export const DOCS_PATHS = { ui: '/docs', openApi: '/docs-json', asyncApi: '/docs/asyncapi.json' } as const;

/**
 * Serves the OpenAPI UI and document, and the Socket.IO protocol's AsyncAPI document. First gives
 * Swagger what the `@nestjs/swagger` CLI plugin read from the sources: `nest build` compiles the
 * plugin's output into the bundle too, but ts-node and ts-jest do not run the plugin, so every way
 * of running the gateway loads the same generated metadata and builds the same documents.
 */
export async function setupApiDocs(app: INestApplication): Promise<void> {
  await SwaggerModule.loadPluginMetadata(openApiPluginMetadata);
  const asyncApi = buildAsyncApiDocument(app);
  app
    .getHttpAdapter()
    .get(DOCS_PATHS.asyncApi, (_request: unknown, response: { json(body: unknown): void }) =>
      response.json(asyncApi),
    );
  SwaggerModule.setup(DOCS_PATHS.ui.slice(1), app, buildOpenApiDocument(app), {
    jsonDocumentUrl: DOCS_PATHS.openApi,
  });
}
