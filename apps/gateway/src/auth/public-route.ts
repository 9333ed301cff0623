import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HealthController } from '@app/observability';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { PUBLIC_METADATA } from './public.decorator';

/** Probes and scrapes come from the platform, which holds no key; they come from libraries, so no decorator. */
const INFRASTRUCTURE_CONTROLLERS = new Set<unknown>([HealthController, PrometheusController]);

export function isInfrastructureRoute(context: ExecutionContext): boolean {
  return INFRASTRUCTURE_CONTROLLERS.has(context.getClass());
}

/** True for routes anyone may call: marked `@Public()`, or health and metrics. */
export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return (
    isInfrastructureRoute(context) ||
    reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, [context.getHandler(), context.getClass()]) === true
  );
}
