import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MetricsTrendsQuery } from '@app/contracts';
import { MetricsTrendsService } from './metrics-trends.service';

@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsTrendsController {
  constructor(private readonly metrics: MetricsTrendsService) {}

  /**
   * Executions, errors and average duration; log entries by level; errors per agent: per UTC hour
   * or day, over [from, to) (by default the last 24 hours; the answer carries the range used).
   */
  @Get('trends')
  trends(@Query() query: MetricsTrendsQuery) {
    return this.metrics.trends(query);
  }
}
