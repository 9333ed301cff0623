import { isDeepStrictEqual } from 'node:util';
import { InputError } from '@app/contracts';
import { InputValidator } from './input-schema.compiler';
import { InvalidWorkflowInputException } from './invalid-workflow-input.exception';

/**
 * The input to record for a workflow: aliases renamed to their fields, then checked against the
 * type's schema. Throws a 422 naming every wrong field, so nothing is recorded for a bad input.
 */
export function checkWorkflowInput(
  input: Record<string, unknown>,
  definition: { inputAliases?: Readonly<Record<string, string>>; validateInput?: InputValidator },
): Record<string, unknown> {
  const { renamed, errors } = renameAliases(input, definition.inputAliases ?? {});
  errors.push(...(definition.validateInput?.(renamed) ?? []));
  if (errors.length > 0) throw new InvalidWorkflowInputException(errors);
  return renamed;
}

/**
 * An alias given with its field is allowed when both say the same; when they differ, there is no
 * telling which was meant. The alias is dropped either way, so the schema judges the field alone.
 */
function renameAliases(
  input: Record<string, unknown>,
  aliases: Readonly<Record<string, string>>,
): { renamed: Record<string, unknown>; errors: InputError[] } {
  const errors: InputError[] = [];
  let renamed = input;
  for (const [alias, field] of Object.entries(aliases)) {
    if (!Object.hasOwn(renamed, alias)) continue;
    const { [alias]: value, ...rest } = renamed;
    if (Object.hasOwn(rest, field) && !isDeepStrictEqual(rest[field], value)) {
      errors.push({
        path: `/${alias}`,
        message: `is another name of /${field} and differs from it; send one`,
      });
      renamed = rest;
    } else {
      renamed = { ...rest, [field]: value };
    }
  }
  return { renamed, errors };
}
