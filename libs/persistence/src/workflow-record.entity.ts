import { WorkflowState, WorkflowStatus } from '@app/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A finished workflow archived from Redis by the retention job: the whole state, plus the columns
 * it is found by. The gateway reads it once Redis no longer has the workflow.
 */
@Entity({ name: 'workflow_records' })
@Index('workflow_records_created', ['createdAt'])
@Index('workflow_records_status_created', ['status', 'createdAt'])
@Index('workflow_records_tenant_created', ['tenantId', 'createdAt'])
@Index('workflow_records_session', ['sessionId'])
export class WorkflowRecordEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: WorkflowStatus;

  @Column({ name: 'tenant_id', type: 'varchar', length: 200 })
  tenantId!: string;

  @Column({ name: 'session_id', type: 'varchar', length: 200 })
  sessionId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'jsonb' })
  state!: WorkflowState;

  @Column({ name: 'archived_at', type: 'timestamptz', default: () => 'now()' })
  archivedAt!: Date;
}
