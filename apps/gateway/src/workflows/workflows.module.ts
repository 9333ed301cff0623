import { Module } from '@nestjs/common';
import { BudgetsModule } from '../budgets/budgets.module';
import { WorkflowControlController } from './workflow-control.controller';
import { WorkflowControl } from './workflow-control.service';
import { WorkflowDefinitionsController } from './workflow-definitions.controller';
import { WorkflowDefinitions } from './workflow-definitions.service';
import { WorkflowReplaysController } from './workflow-replays.controller';
import { WorkflowReplays } from './workflow-replays.service';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

@Module({
  // A workflow's own budget is set where the workers read it, before its first step is queued.
  imports: [BudgetsModule],
  controllers: [
    WorkflowsController,
    WorkflowReplaysController,
    WorkflowDefinitionsController,
    WorkflowControlController,
  ],
  providers: [WorkflowsService, WorkflowControl, WorkflowDefinitions, WorkflowReplays],
  exports: [WorkflowsService, WorkflowControl, WorkflowReplays],
})
export class WorkflowsModule {}
