import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One call an agent made to a language model: who (agent, tenant, workflow, step), which
 * provider and model, the tokens and cost it spent, how long it took and how it ended. The id
 * comes from the worker, so a batch delivered twice is counted once; the usage summaries are
 * computed from these rows.
 */
@Entity({ name: 'llm_calls' })
@Index('llm_calls_finished', ['finishedAt'])
@Index('llm_calls_tenant_finished', ['tenantId', 'finishedAt'])
@Index('llm_calls_workflow', ['workflowId'])
export class LlmCallEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ name: 'workflow_type', type: 'varchar', length: 100 })
  workflowType!: string;

  @Column({ name: 'tenant_id', type: 'varchar', length: 100 })
  tenantId!: string;

  @Column({ name: 'step_id', type: 'varchar', length: 200 })
  stepId!: string;

  @Column({ type: 'varchar', length: 100 })
  agent!: string;

  @Column({ type: 'varchar', length: 50 })
  provider!: string;

  @Column({ type: 'varchar', length: 200 })
  model!: string;

  @Column({ name: 'prompt_tokens', type: 'integer' })
  promptTokens!: number;

  @Column({ name: 'completion_tokens', type: 'integer' })
  completionTokens!: number;

  @Column({ name: 'is_estimated', type: 'boolean' })
  isEstimated!: boolean;

  /** US dollars; numeric, so sums over millions of calls do not drift. */
  @Column({ name: 'cost_usd', type: 'numeric', precision: 18, scale: 9 })
  costUsd!: string;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;

  @Column({ type: 'varchar', length: 50 })
  outcome!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;
}
