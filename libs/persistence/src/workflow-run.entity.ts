import { WorkflowStatus } from '@app/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The projection of one workflow, live or archived, that `GET /workflows` lists: its summary as of
 * its event `lastEventId`, kept by the metrics service as the workflow's status changes.
 */
@Entity({ name: 'workflow_runs' })
@Index('workflow_runs_keyset', ['createdAt', 'id'])
@Index('workflow_runs_tenant_id_keyset', ['tenantId', 'createdAt', 'id'])
@Index('workflow_runs_status_keyset', ['status', 'createdAt', 'id'])
@Index('workflow_runs_type_keyset', ['type', 'createdAt', 'id'])
@Index('workflow_runs_replay_of', ['replayOf'], { where: '"replay_of" IS NOT NULL' })
export class WorkflowRunEntity {
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

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'jsonb' })
  input!: Record<string, unknown>;

  @Column({ name: 'completed_steps', type: 'integer' })
  completedSteps!: number;

  @Column({ name: 'total_steps', type: 'integer' })
  totalSteps!: number;

  /** The workflow's last event id when projected: an older projection never overwrites a newer. */
  @Column({ name: 'last_event_id', type: 'bigint' })
  lastEventId!: string;

  /** Lower-cased input JSON and error, computed by PostgreSQL, for `q` (trigram-indexed). */
  @Column({
    type: 'text',
    generatedType: 'STORED',
    asExpression: `lower("input"::text || ' ' || coalesce("error", ''))`,
  })
  search!: string;

  /** The published site's path under the gateway, when the workflow published one. */
  @Column({ name: 'site_url', type: 'text', nullable: true })
  siteUrl!: string | null;

  /** The workflow this one replays (`POST /workflows/:id/replay`); null for any other. */
  @Column({ name: 'replay_of', type: 'uuid', nullable: true })
  replayOf!: string | null;

  @Column({ name: 'projected_at', type: 'timestamptz', default: () => 'now()' })
  projectedAt!: Date;
}
