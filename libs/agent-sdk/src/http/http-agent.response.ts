import { NetworkError, RateLimitedError, ValidationError } from '../agent-errors';
import { rateLimitResetOf } from './retry-after';

/** Longest detail of an error answer quoted in the step's error. */
const DETAIL_CHARACTERS = 300;
/** Bytes of an error answer read to find its detail; the rest is discarded. */
const ERROR_BODY_BYTES = 16 * 1024;

/**
 * The step's output from an HTTP agent's answer, or the {@link AgentError} that says how to retry:
 *
 * | answer                         | outcome                                                     |
 * | ------------------------------ | ----------------------------------------------------------- |
 * | 2xx with a JSON body           | the body is the output (204: `null`)                        |
 * | 2xx with another body          | NetworkError (retried), as a garbled answer would be        |
 * | 429, 503                       | RateLimitedError, after Retry-After or x-ratelimit-reset-*  |
 * | 408, other 5xx                 | NetworkError (retried)                                      |
 * | 3xx                            | ValidationError: redirects are not followed                 |
 * | other 4xx                      | ValidationError (not retried), with the body's error text   |
 */
export async function outputOfResponse(
  response: Response,
  { agent, maxBodyBytes }: { agent: string; maxBodyBytes: number },
): Promise<unknown> {
  const { status } = response;
  if (status >= 200 && status < 300) {
    if (status === 204) return await discard(response, null);
    const text = await readText(response, maxBodyBytes);
    if (text === null)
      throw new ValidationError(`agent ${agent} answered ${status} with more than ${maxBodyBytes} bytes`);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      const type = response.headers.get('content-type') ?? 'no content type';
      throw new NetworkError(
        `agent ${agent} answered ${status} with a body that is not JSON (${type}): ${truncate(text)}`,
        { cause: error },
      );
    }
  }
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location') ?? 'nowhere';
    throw await discard(
      response,
      new ValidationError(
        `agent ${agent} answered ${status}, a redirect to ${truncate(location)}; HTTP agents are not redirected, register the final URL`,
      ),
    );
  }
  const detail = await errorDetailOf(response);
  const answered = `agent ${agent} answered ${status}${detail ? `: ${detail}` : ''}`;
  if (status === 429 || status === 503)
    throw new RateLimitedError(answered, rateLimitResetOf(response.headers));
  if (status === 408 || status >= 500) throw new NetworkError(answered);
  throw new ValidationError(answered);
}

/** The body's `error` or `message` (a string, or an object's `message`), else its text; truncated. */
async function errorDetailOf(response: Response): Promise<string> {
  const text = (await readText(response, ERROR_BODY_BYTES, { isTruncating: true })) ?? '';
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null) {
      const { error, message } = body as { error?: unknown; message?: unknown };
      for (const candidate of [error, message, (error as { message?: unknown } | null)?.message]) {
        if (typeof candidate === 'string' && candidate.trim() !== '') return truncate(candidate);
      }
    }
  } catch {
    // Not JSON: the text itself says what went wrong.
  }
  return truncate(text.trim());
}

/**
 * The body as text, read up to `maxBytes`: null past it (the rest is never downloaded), or the
 * first `maxBytes` when `isTruncating`.
 */
async function readText(
  response: Response,
  maxBytes: number,
  { isTruncating = false } = {},
): Promise<string | null> {
  if (!response.body) return '';
  const declared = Number(response.headers.get('content-length'));
  if (!isTruncating && declared > maxBytes) return await discard(response, null);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        if (!isTruncating) return null;
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** Drops an unread body, so the connection is free again, and returns `value`. */
async function discard<T>(response: Response, value: T): Promise<T> {
  await response.body?.cancel().catch(() => undefined);
  return value;
}

function truncate(text: string): string {
  return text.length > DETAIL_CHARACTERS ? `${text.slice(0, DETAIL_CHARACTERS)}…` : text;
}
