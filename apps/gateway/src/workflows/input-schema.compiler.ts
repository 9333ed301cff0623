import { InputError } from '@app/contracts';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

/** Checks a workflow's input: what is wrong with it, none when it is valid. */
export type InputValidator = (input: Record<string, unknown>) => InputError[];

/** A schema that cannot check inputs; the message names the problem. */
export class InvalidInputSchemaError extends Error {}

/**
 * An input with thousands of unknown fields would otherwise be answered with a list larger than
 * the input; a hundred already tell the caller what to fix.
 */
export const MAX_INPUT_ERRORS = 100;

/**
 * Compiles a JSON Schema (draft-07) of a workflow's input, once per definition version. Each
 * schema gets its own Ajv: one definition's `$id`s cannot clash with another's, and nothing of a
 * replaced version stays in a shared cache. Ajv's strict mode refuses unknown keywords (a
 * misspelt `requierd` would otherwise check nothing) and unknown formats.
 */
export function compileInputSchema(schema: Record<string, unknown>): InputValidator {
  if (schema.type !== 'object') {
    throw new InvalidInputSchemaError(
      'inputSchema must have type "object" at its root: an input is an object',
    );
  }
  // An asynchronous validator answers a promise, which would pass every input.
  if (schema.$async !== undefined && schema.$async !== false) {
    throw new InvalidInputSchemaError('inputSchema must not be $async: inputs are checked at once');
  }
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  if (!ajv.validateSchema(schema)) {
    const problems = (ajv.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
    throw new InvalidInputSchemaError(`inputSchema is invalid: ${problems.join('; ')}`);
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new InvalidInputSchemaError(
      `inputSchema is invalid: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return (input) => {
    if (validate(input)) return [];
    return uniqueErrors((validate.errors ?? []).map(describeError)).slice(0, MAX_INPUT_ERRORS);
  };
}

/** Names the field itself for a missing or unknown one, where Ajv names the object holding it. */
function describeError(error: ErrorObject): InputError {
  switch (error.keyword) {
    case 'required':
      return {
        path: `${error.instancePath}/${pointerSegment((error.params as { missingProperty: string }).missingProperty)}`,
        message: 'is required',
      };
    case 'additionalProperties':
      return {
        path: `${error.instancePath}/${pointerSegment((error.params as { additionalProperty: string }).additionalProperty)}`,
        message: 'is not allowed',
      };
    default:
      return { path: error.instancePath, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** RFC 6901: `~` and `/` inside a name are escaped. */
function pointerSegment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function uniqueErrors(errors: InputError[]): InputError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.path}\n${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
