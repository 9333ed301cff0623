import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HealthController, MetricsController } from '@app/observability';
import { PUBLIC_METADATA } from './public.decorator';

/** Probes and scrapes come from the platform, which holds no key; they come from libraries, so no decorator. */
const INFRASTRUCTURE_CONTROLLERS = new Set<unknown>([HealthController, MetricsController]);

export function isInfrastructureRoute(context: ExecutionContext): boolean {
  return isInfrastructureController(context.getClass());
}

/** Health and metrics: neither authenticated nor rate limited. */
export function isInfrastructureController(controller: unknown): boolean {
  return INFRASTRUCTURE_CONTROLLERS.has(controller);
}

/** True for routes anyone may call: marked `@Public()`, or health and metrics. */
export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return isPublicHandler(reflector, context.getHandler(), context.getClass());
}

/** {@link isPublicRoute} for a handler and its controller, as the API description reads them. */
export function isPublicHandler(
  reflector: Reflector,
  handler: ReturnType<ExecutionContext['getHandler']>,
  controller: ReturnType<ExecutionContext['getClass']>,
): boolean {
  return (
    isInfrastructureController(controller) ||
    reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, [handler, controller]) === true
  );
}
