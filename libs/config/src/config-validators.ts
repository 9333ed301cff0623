import { Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { parseUrl } from './redaction';
import { REDIS_URL_FORMS, parseRedisUrl } from './redis-url';

/** class-transformer: an integer written as a string becomes a number; anything else is left to fail. */
export const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/** class-transformer: `true`/`false` become booleans; anything else is left to fail. */
export const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** An integer in [min, max], given as a string of digits. */
export function IsIntegerBetween(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return (target: object, property: string) => {
    Transform(toInteger)(target, property);
    IsInt({ message })(target, property);
    Min(min, { message })(target, property);
    Max(max, { message })(target, property);
  };
}

/** A URL that parses, with one of `protocols` (`'redis:'`, `'postgres:'`...). */
export function IsUrlOf(protocols: string[], options: ValidationOptions) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isUrlOf',
      target: target.constructor,
      propertyName: property,
      constraints: protocols,
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && protocols.includes(parseUrl(value)?.protocol ?? ''),
      },
    });
}

/** A REDIS_URL of one of the forms {@link parseRedisUrl} reads; the message says what is wrong. */
export function IsRedisUrl() {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isRedisUrl',
      target: target.constructor,
      propertyName: property,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && problemOf(value) === null,
        defaultMessage: (args: ValidationArguments) =>
          (typeof args.value === 'string' && problemOf(args.value)) || REDIS_URL_FORMS,
      },
    });
}

/** A number below the number in `other` (checked once both are numbers; their own rules say otherwise). */
export function IsBelow(other: string) {
  return (target: object, property: string) =>
    registerDecorator({
      name: 'isBelow',
      target: target.constructor,
      propertyName: property,
      constraints: [other],
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const limit = (args.object as Record<string, unknown>)[other];
          return typeof value !== 'number' || typeof limit !== 'number' || value < limit;
        },
        defaultMessage: (args: ValidationArguments) =>
          `must be below ${other} (${String((args.object as Record<string, unknown>)[other])})`,
      },
    });
}

/**
 * A JSON setting that a library reads itself (flow-control limits, LLM limits, circuit breakers,
 * budgets): valid when `read` accepts it, as the workers will read it, so a mistake stops the
 * service at boot. The message is `read`'s error without the variable's name, which the
 * configuration error puts in front.
 */
export function IsReadBy(read: (text: string, variable: string) => unknown) {
  const problemOf = (value: unknown, variable: string): string | null => {
    try {
      read(typeof value === 'string' ? value : JSON.stringify(value), variable);
      return null;
    } catch (error) {
      return (error as Error).message.replace(new RegExp(`^${variable}:? ?`), '');
    }
  };
  return (target: object, property: string) =>
    registerDecorator({
      name: `isReadBy:${read.name}`,
      target: target.constructor,
      propertyName: property,
      validator: {
        validate: (value: unknown) => problemOf(value, property) === null,
        defaultMessage: (args: ValidationArguments) => problemOf(args.value, property) ?? 'is invalid',
      },
    });
}

/** What is wrong with a REDIS_URL, or null. */
function problemOf(url: string): string | null {
  const parsed = parseRedisUrl(url);
  return 'error' in parsed ? parsed.error : null;
}
