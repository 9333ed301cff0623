import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorResult } from '@nestjs/terminus';

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export type ReadinessCheck = () => Promise<HealthIndicatorResult>;

/**
 * `/health` and `/health/ready` check the app's connections (503 when one is down);
 * `/health/live` only says the process answers, for a Kubernetes liveness probe that must not
 * restart pods because Redis is briefly away.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check(this.checks);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(this.checks);
  }

  @Get('live')
  live() {
    return { status: 'ok' };
  }
}
