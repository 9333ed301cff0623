import { Module } from '@nestjs/common';
import { DatabaseWritesModule } from '../database-writes/database-writes.module';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { LogsProcessor } from './logs.processor';
import { LOG_ENTRIES_REJECTED_METRIC, LOG_ENTRIES_WRITTEN_METRIC, LogsService } from './logs.service';

@Module({
  imports: [DatabaseWritesModule],
  providers: [
    LogsService,
    LogsProcessor,
    makeCounterProvider({ name: LOG_ENTRIES_REJECTED_METRIC, help: 'Malformed log entries set aside' }),
    makeCounterProvider({
      name: LOG_ENTRIES_WRITTEN_METRIC,
      help: 'Log entries written to PostgreSQL, by level',
      labelNames: ['level'],
    }),
  ],
  exports: [LogsService],
})
export class LogsModule {}
