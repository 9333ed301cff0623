import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Validates a socket payload against a DTO; returns the instance or a message naming the problems. */
export function validateSocketPayload<T extends object>(
  type: new () => T,
  payload: unknown,
): { ok: true; value: T } | { ok: false; message: string } {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, message: 'payload must be a JSON object' };
  }
  let value: T;
  let errors: ReturnType<typeof validateSync>;
  try {
    value = plainToInstance(type, payload);
    errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  } catch {
    // class-transformer throws on some hostile shapes, e.g. a nested `constructor` that is no function.
    return { ok: false, message: 'payload could not be read' };
  }
  if (errors.length === 0) return { ok: true, value };
  return { ok: false, message: errors.flatMap((error) => Object.values(error.constraints ?? {})).join('; ') };
}
