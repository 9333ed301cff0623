/** Variables whose whole value is a secret: `*_KEY`, `*_SECRET`, `*_PASSWORD`, `*_TOKEN` and the like. */
const SECRET_VARIABLE = /(^|_)(KEY|SECRET|PASSWORD|PASSPHRASE|TOKEN|CREDENTIALS?)(_|$)/;
/** Query parameters of a URL that carry a secret (`?password=`, `?sslpassword=`, `?api_key=`). */
const SECRET_PARAMETER = /pass|secret|key|token|credential/i;
const LONGEST_SHOWN = 80;

/** Variables whose value may hold a secret among other settings (`LLM_AGENTS` carries API keys). */
const SECRET_HOLDING_VARIABLES = new Set(['LLM_AGENTS']);

export function isSecretVariable(variable: string): boolean {
  return SECRET_VARIABLE.test(variable) || SECRET_HOLDING_VARIABLES.has(variable);
}

/** Whether `variable` holds a URL, whose password must be hidden but whose host may be shown. */
export function isUrlVariable(variable: string): boolean {
  return variable.endsWith('_URL');
}

/**
 * `value` as a URL, or null when it is not one. A URL with an `@` after its host is refused too:
 * that is a password with a `/`, `?` or `#` in it that split the URL in the wrong place, and
 * showing the rest would show part of the password.
 */
export function parseUrl(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return `${url.pathname}${url.search}${url.hash}`.includes('@') ? null : url;
}

/** `url` with its password, and the values of query parameters that look secret, replaced by `***`. */
export function redactUrl(url: URL): string {
  const redacted = new URL(url.href);
  if (redacted.password) redacted.password = '***';
  for (const name of new Set(redacted.searchParams.keys())) {
    if (SECRET_PARAMETER.test(name)) redacted.searchParams.set(name, '***');
  }
  redacted.hash = '';
  return redacted.href;
}

/**
 * How an error message may show the value of `variable`: a secret only by its length, a URL with
 * its password as `***` (or by its length when it does not parse), anything else as given.
 */
export function describeValue(variable: string, value: unknown): string {
  if (value === undefined) return 'not set';
  const text = String(value);
  if (isUrlVariable(variable)) {
    const url = parseUrl(text);
    return url ? `got "${redactUrl(url)}"` : `got a value of ${text.length} characters that is not a URL`;
  }
  if (isSecretVariable(variable)) return `got a value of ${text.length} characters`;
  return text.length > LONGEST_SHOWN
    ? `got "${text.slice(0, LONGEST_SHOWN)}…" (${text.length} characters)`
    : `got "${text}"`;
}
