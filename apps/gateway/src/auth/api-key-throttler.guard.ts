import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { Caller } from './caller';
import { isInfrastructureRoute } from './public-route';
import { RateLimitKeys } from './rate-limit-keys';

/**
 * Rate limits per API key (per address on public routes), counted in Redis so the limit holds
 * across replicas. Runs after ApiKeyGuard, which resolves the caller. Probes are never limited.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const caller = request.caller as Caller | undefined;
    return Promise.resolve(RateLimitKeys.tracker(caller, request.ip));
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(context.getType() !== 'http' || isInfrastructureRoute(context));
  }
}
