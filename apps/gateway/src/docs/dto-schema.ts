import { getMetadataStorage, ValidationTypes } from 'class-validator';
import { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/** A JSON-schema (OpenAPI 3 flavour) object. */
export type JsonSchema = Record<string, unknown>;

type Class = new (...args: never[]) => object;

// Where `@Type` records nested DTO classes; the package publishes it without a typed entry point.
const { defaultMetadataStorage } =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

/**
 * The JSON schema of a DTO, read from its class-validator decorators, so the contracts stay free
 * of Swagger decorators and the documentation cannot drift from what the validation enforces.
 * Nested DTOs (`@ValidateNested` + `@Type`) are inlined.
 */
export function dtoSchema(dto: Class): JsonSchema {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const entry of metadata) {
    byProperty.set(entry.propertyName, [...(byProperty.get(entry.propertyName) ?? []), entry]);
  }
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [property, entries] of byProperty) {
    if (!entries.some((entry) => entry.type === ValidationTypes.CONDITIONAL_VALIDATION))
      required.push(property);
    properties[property] = propertySchema(dto, property, entries);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

function propertySchema(dto: Class, property: string, entries: ValidationMetadata[]): JsonSchema {
  const schema: JsonSchema = {};
  const item: JsonSchema = {};
  for (const entry of entries) {
    const target = entry.each ? item : schema;
    const [first] = (entry.constraints ?? []) as unknown[];
    switch (entry.name) {
      case 'isString':
        target.type = 'string';
        break;
      case 'isInt':
        target.type = 'integer';
        break;
      case 'isObject':
        target.type = 'object';
        break;
      case 'isArray':
        schema.type = 'array';
        break;
      case 'isUUID':
        Object.assign(target, { type: 'string', format: 'uuid' });
        break;
      case 'isISO8601':
        Object.assign(target, { type: 'string', format: 'date-time' });
        break;
      case 'matches':
        Object.assign(target, { type: 'string', pattern: (first as RegExp).source });
        break;
      case 'isEnum':
        target.enum = Object.values(first as object);
        break;
      case 'isIn':
        target.enum = first;
        break;
      case 'min':
        target.minimum = first;
        break;
      case 'max':
        target.maximum = first;
        break;
      case 'minLength':
        target.minLength = first;
        break;
      case 'maxLength':
        target.maxLength = first;
        break;
      case 'arrayMinSize':
        schema.minItems = first;
        break;
      case 'arrayMaxSize':
        schema.maxItems = first;
        break;
      default:
        if (entry.type === ValidationTypes.NESTED_VALIDATION) {
          const nested = defaultMetadataStorage.findTypeMetadata(dto, property)?.typeFunction() as
            Class | undefined;
          if (nested) Object.assign(entry.each ? item : schema, dtoSchema(nested));
        }
    }
  }
  if (schema.type === 'array') schema.items = item;
  return schema;
}
