import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PostgresServiceConfig } from '@app/config';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { AgentExecutionsRepository } from './agent-executions.repository';
import { LlmCallsRepository } from './llm-calls.repository';
import { LogEntriesRepository } from './log-entries.repository';
import { WorkflowRecordsRepository } from './workflow-records.repository';
import { WorkflowRunsRepository } from './workflow-runs.repository';

/** The TypeORM connection and the repositories over it, for an app that uses PostgreSQL. */
@Module({})
export class PersistenceModule {
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [PostgresServiceConfig],
          useFactory: (config: PostgresServiceConfig) => ({
            ...dataSourceOptions({
              url: config.DATABASE_URL,
              schema: config.DATABASE_SCHEMA,
              applicationName,
            }),
            // Keep trying at boot for about a minute: PostgreSQL may start after the app.
            retryAttempts: 30,
            retryDelay: 2000,
          }),
        }),
      ],
      providers: [
        {
          provide: LogEntriesRepository,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new LogEntriesRepository(dataSource),
        },
        {
          provide: AgentExecutionsRepository,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new AgentExecutionsRepository(dataSource),
        },
        {
          provide: LlmCallsRepository,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new LlmCallsRepository(dataSource),
        },
        {
          provide: WorkflowRecordsRepository,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new WorkflowRecordsRepository(dataSource),
        },
        {
          provide: WorkflowRunsRepository,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new WorkflowRunsRepository(dataSource),
        },
      ],
      exports: [
        LogEntriesRepository,
        AgentExecutionsRepository,
        LlmCallsRepository,
        WorkflowRecordsRepository,
        WorkflowRunsRepository,
      ],
    };
  }
}
