import { InvalidInputSchemaError, MAX_INPUT_ERRORS, compileInputSchema } from './input-schema.compiler';

const ORDER_SCHEMA = {
  type: 'object',
  properties: {
    sku: { type: 'string', minLength: 1, maxLength: 10 },
    quantity: { type: 'integer', minimum: 1 },
    address: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
  required: ['sku', 'quantity'],
  additionalProperties: false,
};

describe('compileInputSchema', () => {
  const validate = compileInputSchema(ORDER_SCHEMA);

  it('accepts an input the schema describes', () => {
    expect(validate({ sku: 'A-1', quantity: 2, address: { city: 'Lyon' } })).toEqual([]);
  });

  it('names every wrong field at once, each by its JSON Pointer', () => {
    expect(validate({ quantity: 'two', colour: 'red', address: {} })).toEqual(
      expect.arrayContaining([
        { path: '/sku', message: 'is required' },
        { path: '/quantity', message: 'must be integer' },
        { path: '/colour', message: 'is not allowed' },
        { path: '/address/city', message: 'is required' },
      ]),
    );
    expect(validate({ quantity: 'two', colour: 'red', address: {} })).toHaveLength(4);
  });

  it('says which bound a string or number breaks', () => {
    expect(validate({ sku: '', quantity: 0 })).toEqual([
      { path: '/sku', message: 'must NOT have fewer than 1 characters' },
      { path: '/quantity', message: 'must be >= 1' },
    ]);
    expect(validate({ sku: 'x'.repeat(11), quantity: 1 })).toEqual([
      { path: '/sku', message: 'must NOT have more than 10 characters' },
    ]);
  });

  it('escapes "/" and "~" in a field name it points at (RFC 6901)', () => {
    expect(validate({ sku: 'A', quantity: 1, 'a/b~c': true })).toEqual([
      { path: '/a~1b~0c', message: 'is not allowed' },
    ]);
  });

  it(`lists at most ${MAX_INPUT_ERRORS} problems`, () => {
    const crowded = Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`extra${index}`, index]));
    expect(validate({ sku: 'A', quantity: 1, ...crowded })).toHaveLength(MAX_INPUT_ERRORS);
  });

  it('checks with each schema alone: two schemas may use the same $id', () => {
    const first = compileInputSchema({ $id: 'order', type: 'object', required: ['a'] });
    const second = compileInputSchema({ $id: 'order', type: 'object', required: ['b'] });
    expect(first({ b: 1 })).toEqual([{ path: '/a', message: 'is required' }]);
    expect(second({ a: 1 })).toEqual([{ path: '/b', message: 'is required' }]);
  });

  describe('refuses a schema that cannot check inputs, naming the problem', () => {
    it.each([
      ['a root that is not an object', { type: 'string' }, 'inputSchema must have type "object" at its root'],
      ['no root type', { properties: {} }, 'inputSchema must have type "object" at its root'],
      [
        'a type that does not exist',
        { type: 'object', properties: { a: { type: 'strin' } } },
        'inputSchema is invalid: /properties/a/type must be equal to one of the allowed values',
      ],
      [
        'a negative length',
        { type: 'object', properties: { a: { type: 'string', maxLength: -1 } } },
        'inputSchema is invalid: /properties/a/maxLength must be >= 0',
      ],
      ['a misspelt keyword', { type: 'object', requierd: ['a'] }, 'unknown keyword: "requierd"'],
      [
        'an unknown format',
        { type: 'object', properties: { a: { type: 'string', format: 'email' } } },
        'unknown format "email"',
      ],
      [
        'a reference to nothing',
        { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } },
        "can't resolve reference #/definitions/missing",
      ],
      [
        'a pattern that is no regular expression',
        { type: 'object', properties: { a: { type: 'string', pattern: '[' } } },
        'Invalid regular expression',
      ],
      ['an asynchronous schema', { type: 'object', $async: true }, 'inputSchema must not be $async'],
    ])('%s', (_, schema, message) => {
      expect(() => compileInputSchema(schema)).toThrow(InvalidInputSchemaError);
      expect(() => compileInputSchema(schema)).toThrow(message);
    });
  });
});
