import { LogLevel } from '@app/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A persisted log line. The id comes from the producer, so a batch delivered twice is written once. */
@Entity({ name: 'log_entries' })
@Index('log_entries_workflow_id_keyset', ['workflowId', 'timestamp', 'id'])
@Index('log_entries_agent_keyset', ['agent', 'timestamp', 'id'])
@Index('log_entries_level_keyset', ['level', 'timestamp', 'id'])
@Index('log_entries_keyset', ['timestamp', 'id'])
export class LogEntryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ type: 'varchar', length: 10 })
  level!: LogLevel;

  @Column({ name: 'workflow_id', type: 'uuid', nullable: true })
  workflowId!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  agent!: string | null;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, unknown>;
}
