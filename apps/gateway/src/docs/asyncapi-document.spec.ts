import { toJsonSchema } from './asyncapi-document';

describe('toJsonSchema (OpenAPI 3.0 schemas into the JSON Schema AsyncAPI payloads use)', () => {
  it('turns nullable into a null type, in properties and items, and keeps references', () => {
    expect(
      toJsonSchema({
        type: 'object',
        required: ['finishedAt'],
        properties: {
          finishedAt: { type: 'string', nullable: true, example: '2026-11-29T10:00:00.000Z' },
          steps: { type: 'array', items: { $ref: '#/components/schemas/StepState' } },
          status: { type: 'string', enum: ['FAILED'], nullable: true },
          metrics: { allOf: [{ $ref: '#/components/schemas/WorkflowMetrics' }], nullable: true },
        },
      }),
    ).toEqual({
      type: 'object',
      required: ['finishedAt'],
      properties: {
        finishedAt: { type: ['string', 'null'], examples: ['2026-11-29T10:00:00.000Z'] },
        steps: { type: 'array', items: { $ref: '#/components/schemas/StepState' } },
        status: { type: ['string', 'null'], enum: ['FAILED', null] },
        metrics: { oneOf: [{ allOf: [{ $ref: '#/components/schemas/WorkflowMetrics' }] }, { type: 'null' }] },
      },
    });
  });

  it('keeps only the property name of a discriminator, and converts additionalProperties schemas', () => {
    expect(
      toJsonSchema({
        oneOf: [{ $ref: '#/components/schemas/A' }],
        discriminator: { propertyName: 'type', mapping: { a: '#/components/schemas/A' } },
        additionalProperties: { type: 'number', nullable: true },
      }),
    ).toEqual({
      oneOf: [{ $ref: '#/components/schemas/A' }],
      discriminator: 'type',
      additionalProperties: { type: ['number', 'null'] },
    });
  });
});
