import { Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { LogsProcessor } from './logs.processor';
import { LOG_ENTRIES_REJECTED_METRIC, LogsService } from './logs.service';

@Module({
  providers: [
    LogsService,
    LogsProcessor,
    makeCounterProvider({ name: LOG_ENTRIES_REJECTED_METRIC, help: 'Malformed log entries set aside' }),
  ],
  exports: [LogsService],
})
export class LogsModule {}
