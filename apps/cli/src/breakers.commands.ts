import type { BreakerStatus } from '@app/flow-control';
import { CliContext } from './cli-context';
import { ExitCode } from './cli-error';

/** `breakers`: the dependencies' circuit breakers, as every worker shares them (admin keys). */
export async function breakersCommand(context: CliContext): Promise<ExitCode> {
  const { client } = await context.connect();
  context.output.list(await client.breakers(), breakerColumns);
  return ExitCode.Ok;
}

/** `breakers reset <dependency>`: closes it for every worker; its state after. */
export async function resetBreakerCommand(context: CliContext, dependency: string): Promise<ExitCode> {
  const { client } = await context.connect();
  context.output.list([await client.resetBreaker(dependency)], breakerColumns);
  return ExitCode.Ok;
}

const breakerColumns = {
  dependency: (breaker: BreakerStatus) => breaker.dependency,
  state: (breaker: BreakerStatus) => breaker.state,
  failures: (breaker: BreakerStatus) => breaker.failures,
  'open until': (breaker: BreakerStatus) => breaker.openUntil ?? '',
  changed: (breaker: BreakerStatus) => breaker.lastTransition?.at ?? '',
  // Last: the longest, free to run past the terminal's width.
  why: (breaker: BreakerStatus) => breaker.lastTransition?.reason ?? '',
};
