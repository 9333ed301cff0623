import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { AgentWorkerHost } from './agent-worker.host';
import { WorkflowRecoveryProcessor } from './workflow-recovery.processor';
import { WorkflowRecovery } from './workflow-recovery.service';

@Module({
  imports: [AgentsModule],
  providers: [AgentWorkerHost, WorkflowRecovery, WorkflowRecoveryProcessor],
})
export class WorkflowsModule {}
