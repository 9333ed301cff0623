import { Module } from '@nestjs/common';
import { WorkflowDefinitionsController } from './workflow-definitions.controller';
import { WorkflowDefinitions } from './workflow-definitions.service';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

@Module({
  controllers: [WorkflowsController, WorkflowDefinitionsController],
  providers: [WorkflowsService, WorkflowDefinitions],
  exports: [WorkflowsService],
})
export class WorkflowsModule {}
