import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AgentWorkerHost } from './agent-worker.host';
import { ApprovalDeadlinesProcessor } from './approval-deadlines.processor';
import { ApprovalDeadlines } from './approval-deadlines.service';
import { WorkflowRecoveryProcessor } from './workflow-recovery.processor';
import { WorkflowRecovery } from './workflow-recovery.service';

@Module({
  imports: [AgentsModule],
  // The store's scheduled work on workflows: recovery of lost steps, approval deadlines.
  providers: [
    AgentWorkerHost,
    WorkflowRecovery,
    WorkflowRecoveryProcessor,
    ApprovalDeadlines,
    ApprovalDeadlinesProcessor,
  ],
})
export class WorkflowsModule {}
