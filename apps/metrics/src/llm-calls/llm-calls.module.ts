import { Module } from '@nestjs/common';
import { makeCounterProvider } from '@willsoto/nestjs-prometheus';
import { DatabaseWritesModule } from '../database-writes/database-writes.module';
import { LlmCallsProcessor } from './llm-calls.processor';
import { LLM_CALLS_REJECTED_METRIC, LlmCallsService } from './llm-calls.service';

/** Language-model calls from the workers into `llm_calls`, where `GET /usage` sums them. */
@Module({
  imports: [DatabaseWritesModule],
  providers: [
    LlmCallsService,
    LlmCallsProcessor,
    makeCounterProvider({
      name: LLM_CALLS_REJECTED_METRIC,
      help: 'Malformed language-model calls set aside',
    }),
  ],
})
export class LlmCallsModule {}
