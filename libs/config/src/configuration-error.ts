/**
 * Thrown when the environment is wrong. Its message has one line per bad variable, each naming the
 * variable and what it expected, and never a secret (see {@link describeValue}).
 */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}
