import { Module } from '@nestjs/common';
import { LogRetentionService } from './log-retention.service';
import { MaintenanceScheduler } from './maintenance-scheduler.service';
import { MaintenanceProcessor } from './maintenance.processor';
import { SessionRetentionService } from './session-retention.service';
import { WorkflowStateRetentionService } from './workflow-state-retention.service';

@Module({
  providers: [
    LogRetentionService,
    WorkflowStateRetentionService,
    SessionRetentionService,
    MaintenanceProcessor,
    MaintenanceScheduler,
  ],
})
export class MaintenanceModule {}
