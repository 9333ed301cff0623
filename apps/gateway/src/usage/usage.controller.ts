import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UsageQuery, UsageSummary } from '@app/contracts';
import { Caller } from '../auth/caller';
import { CurrentCaller } from '../auth/caller.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { UsageService } from './usage.service';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /**
   * What agents' language-model calls spent (calls, prompt and completion tokens, cost in USD),
   * grouped by model, agent, tenant or UTC day over [from, to): the caller's tenant's, or any
   * tenant's for an admin key.
   */
  @Get()
  @ApiErrors({ 403: 'A client key asked for another tenant’s usage.' })
  summarize(@Query() query: UsageQuery, @CurrentCaller() caller: Caller): Promise<UsageSummary> {
    return this.usage.summarize(query, caller);
  }
}
