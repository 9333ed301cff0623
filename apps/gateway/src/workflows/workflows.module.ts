import { Module } from '@nestjs/common';
import { WorkflowDefinitions } from './workflow-definitions.service';
import { WorkflowsController } from './workflows.controller';
import { WorkflowsService } from './workflows.service';

@Module({ controllers: [WorkflowsController], providers: [WorkflowsService, WorkflowDefinitions] })
export class WorkflowsModule {}
