import { LogLevel } from '@app/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Log entries ever written, by level: raised in the statement that inserts them, never lowered by
 * retention, so `log_entries_total` is a true counter shared by every replica.
 */
@Entity({ name: 'log_level_counts' })
export class LogLevelCountEntity {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  level!: LogLevel;

  @Column({ type: 'bigint', default: 0 })
  count!: string;
}
