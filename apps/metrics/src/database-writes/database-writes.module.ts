import { Module } from '@nestjs/common';
import { DATABASE_WRITE_FAILURES_PROVIDER, DatabaseWriteFailures } from './database-write-failures.metrics';

/** What every writer of the metrics service shares about its PostgreSQL writes. */
@Module({
  providers: [DatabaseWriteFailures, DATABASE_WRITE_FAILURES_PROVIDER],
  exports: [DatabaseWriteFailures],
})
export class DatabaseWritesModule {}
