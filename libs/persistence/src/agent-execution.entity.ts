import { ExecutionOutcome } from '@app/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One attempt of one agent step. The id comes from the orchestrator, so a batch delivered twice is
 * counted once; every agent figure (counts, rates, percentiles, trends) is computed from these rows.
 */
@Entity({ name: 'agent_executions' })
@Index('agent_executions_agent_finished', ['agent', 'finishedAt'])
@Index('agent_executions_finished', ['finishedAt'])
export class AgentExecutionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ name: 'workflow_type', type: 'varchar', length: 100 })
  workflowType!: string;

  @Column({ name: 'step_id', type: 'varchar', length: 100 })
  stepId!: string;

  @Column({ type: 'varchar', length: 100 })
  agent!: string;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'varchar', length: 10 })
  outcome!: ExecutionOutcome;

  @Column({ name: 'error_kind', type: 'varchar', length: 50, nullable: true })
  errorKind!: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;
}
