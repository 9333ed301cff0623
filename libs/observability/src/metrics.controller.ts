import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ServiceConfig } from '@app/config';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { Response } from 'express';

/** `GET /metrics` on PORT, unless METRICS_PORT moved it (see MetricsPortServer): then a 404 there. */
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly config: ServiceConfig) {
    super();
  }

  @Get()
  override index(@Res({ passthrough: true }) response: Response): Promise<string> {
    if (this.config.METRICS_PORT !== undefined) throw new NotFoundException();
    return super.index(response);
  }
}
