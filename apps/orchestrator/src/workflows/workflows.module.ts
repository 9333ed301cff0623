import { Module } from '@nestjs/common';
import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { AgentsModule } from '../agents/agents.module';
import { CpuPoolModule } from '../cpu-pool/cpu-pool.module';
import { TelemetryShipper } from '../telemetry/telemetry-shipper.service';
import { CancellationListener } from './cancellation-listener.service';
import { StepsProcessor } from './steps.processor';
import {
  STEP_DURATION_METRIC,
  STEP_RETRIES_METRIC,
  WORKFLOWS_FINISHED_METRIC,
  WorkflowEngine,
} from './workflow-engine.service';
import { WorkflowHooks } from './workflow-hooks.service';
import { WorkflowRecoveryProcessor } from './workflow-recovery.processor';
import { WorkflowRecovery } from './workflow-recovery.service';

@Module({
  imports: [AgentsModule, CpuPoolModule],
  providers: [
    WorkflowEngine,
    WorkflowHooks,
    WorkflowRecovery,
    WorkflowRecoveryProcessor,
    StepsProcessor,
    CancellationListener,
    TelemetryShipper,
    makeHistogramProvider({
      name: STEP_DURATION_METRIC,
      help: 'Time an agent step took, by agent and outcome',
      labelNames: ['agent', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    }),
    makeCounterProvider({
      name: STEP_RETRIES_METRIC,
      help: 'Step attempts retried, by agent and error kind',
      labelNames: ['agent', 'kind'],
    }),
    makeCounterProvider({
      name: WORKFLOWS_FINISHED_METRIC,
      help: 'Workflows that ended, by status',
      labelNames: ['status'],
    }),
  ],
  exports: [WorkflowHooks],
})
export class WorkflowsModule {}
