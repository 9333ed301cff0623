import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { BudgetStatus, SetBudgetRequest } from '@app/contracts';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../docs/route-docs.decorators';
import { BudgetsService } from './budgets.service';

const NOT_FOUND = 'The scope is not workflows, tenants or agents, or the workflow does not exist.';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/budgets')
export class BudgetsController {
  constructor(private readonly budgets: BudgetsService) {}

  /**
   * A budget in force and what was spent against it: a workflow's over its run, a tenant's or an
   * agent's today (UTC). `scope` is workflows, tenants or agents.
   */
  @Get(':scope/:subject')
  @ApiErrors({ 404: NOT_FOUND })
  get(@Param('scope') scope: string, @Param('subject') subject: string): Promise<BudgetStatus> {
    return this.budgets.get(scope, subject);
  }

  /**
   * Sets a budget (the whole of it: a limit left out goes back to the default, null lifts it) and
   * wakes the steps waiting for it, which begin at once if it now allows them.
   */
  @Put(':scope/:subject')
  @ApiErrors({ 404: NOT_FOUND })
  set(
    @Param('scope') scope: string,
    @Param('subject') subject: string,
    @Body() request: SetBudgetRequest,
  ): Promise<BudgetStatus> {
    return this.budgets.set(scope, subject, request);
  }
}
