/** Names of dependencies: what a breaker is keyed by, safe inside a Redis hash tag. */
export const DEPENDENCY_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

/** Throws when `dependency` cannot name a breaker (braces would break its hash tag). */
export function checkDependencyName(dependency: string): string {
  if (!DEPENDENCY_NAME.test(dependency))
    throw new Error(
      `"${dependency}" cannot name a dependency: use 1-200 letters, digits and . _ : / @ + - (as llm:openai:gpt-4o-mini or http:api.example.com)`,
    );
  return dependency;
}

/**
 * Every Redis key and channel of the circuit breakers, declared once: the workers write them, the
 * gateway reads and resets them. A breaker's keys share the hash tag `{dependency}`.
 */
export class BreakerKeys {
  constructor(private readonly prefix: string) {}

  /** The three keys each breaker function is given, in the order it expects them. */
  of(dependency: string): [state: string, probes: string, window: string] {
    const state = `${this.prefix}:breaker:{${checkDependencyName(dependency)}}`;
    return [state, `${state}:probes`, `${state}:window`];
  }

  /** A set of every dependency some worker has asked about, for listing (written apart from the functions). */
  get registry(): string {
    return `${this.prefix}:breakers`;
  }

  /** Where every transition is published, as a {@link BreakerTransition} in JSON. */
  get transitionsChannel(): string {
    return `${this.prefix}:breaker-transitions`;
  }
}
