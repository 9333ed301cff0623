/** Socket errors of a connection that could not be made or was lost. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
/** SQLSTATEs of a server that cannot serve: connection exceptions, shutting down, starting, full. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
/** What the pg pool says when a connection dies or cannot be had in time. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)/;

/**
 * Whether `error`, thrown by a query, means PostgreSQL cannot be reached (down, restarting, cut
 * off, out of connections) rather than that the query is wrong: the caller may answer 503 and
 * try again later. Looks through TypeORM's `driverError`, an `AggregateError`'s errors and `cause`.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, message, driverError, errors, cause } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
    return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  const inner = [driverError, cause, ...(Array.isArray(errors) ? errors : [])];
  return inner.some((candidate) => isDatabaseUnavailable(candidate, depth + 1));
}
