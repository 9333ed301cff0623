import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { CreateApiKeyRequest, RegisterWorkflowDefinitionRequest, StartWorkflowRequest } from '@app/contracts';
import { dtoSchema } from './dto-schema';

/** The request bodies whose schemas the document carries, generated from their validation. */
const BODIES = [StartWorkflowRequest, RegisterWorkflowDefinitionRequest, CreateApiKeyRequest];

/** The OpenAPI document of every route, served at `/docs` (UI) and `/docs-json`. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Agent orchestrator gateway')
    .setDescription(
      'Start, watch and cancel agent workflows. Every route except health, metrics and published ' +
        'sites needs `Authorization: Bearer <API key>`. Socket.IO on the same port: connect with ' +
        '`auth: { token: <API key> }`; client events workflow.start, workflow.subscribe ' +
        '(with lastEventId to replay), workflow.unsubscribe, workflow.cancel, ping; server events ' +
        'progress, log, agent_status, complete, error. Acks carry errors as { ok: false, error: { code, message } }.',
    )
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components ??= {};
  document.components.schemas ??= {};
  for (const body of BODIES) document.components.schemas[body.name] = dtoSchema(body);
  return document;
}
