import { HttpStatus } from '@nestjs/common';
import { compileInputSchema } from './input-schema.compiler';
import { InvalidWorkflowInputException } from './invalid-workflow-input.exception';
import { checkWorkflowInput } from './workflow-input.check';

const requestDefinition = {
  validateInput: compileInputSchema({
    type: 'object',
    properties: { request: { type: 'string', minLength: 1 } },
    required: ['request'],
    additionalProperties: false,
  }),
  inputAliases: { user_input: 'request' },
};

/** The exception `checkWorkflowInput` throws, for a look at its errors. */
function refusal(
  input: Record<string, unknown>,
  definition = requestDefinition,
): InvalidWorkflowInputException {
  try {
    checkWorkflowInput(input, definition);
  } catch (error) {
    if (error instanceof InvalidWorkflowInputException) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('checkWorkflowInput', () => {
  it('returns a valid input as it came', () => {
    const input = { request: 'Create a blog' };
    expect(checkWorkflowInput(input, requestDefinition)).toBe(input);
  });

  it('answers 422 "input is invalid" with every wrong field', () => {
    const error = refusal({ colour: 'red' });
    expect(error.getStatus()).toBe(HttpStatus.UNPROCESSABLE_ENTITY);
    expect(error.getResponse()).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'input is invalid',
      errors: [
        { path: '/request', message: 'is required' },
        { path: '/colour', message: 'is not allowed' },
      ],
    });
  });

  it('renames an alias to its field before checking, so the input is recorded with the field', () => {
    expect(checkWorkflowInput({ user_input: 'Create a blog' }, requestDefinition)).toEqual({
      request: 'Create a blog',
    });
  });

  it('checks the value given under an alias like the field itself', () => {
    expect(refusal({ user_input: '' }).errors).toEqual([
      { path: '/request', message: 'must NOT have fewer than 1 characters' },
    ]);
  });

  it('accepts an alias and its field that say the same', () => {
    expect(
      checkWorkflowInput({ request: 'Create a blog', user_input: 'Create a blog' }, requestDefinition),
    ).toEqual({ request: 'Create a blog' });
  });

  it('refuses an alias and its field that differ, and still checks the rest', () => {
    expect(refusal({ request: 'Create a blog', user_input: 'Create a shop', colour: 'red' }).errors).toEqual([
      { path: '/user_input', message: 'is another name of /request and differs from it; send one' },
      { path: '/colour', message: 'is not allowed' },
    ]);
  });

  it('leaves a field named like an alias alone for a type that declares no alias', () => {
    const definition = { validateInput: compileInputSchema({ type: 'object' }) };
    expect(checkWorkflowInput({ user_input: 'x', request: 'y' }, definition)).toEqual({
      user_input: 'x',
      request: 'y',
    });
  });

  it('accepts any object for a type without a schema', () => {
    const input = { anything: [1, 2, 3] };
    expect(checkWorkflowInput(input, {})).toBe(input);
  });
});
