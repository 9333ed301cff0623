import { DataSourceOptions } from 'typeorm';
import { AgentExecutionEntity } from './agent-execution.entity';
import { ApiKeyEntity } from './api-key.entity';
import { LlmCallEntity } from './llm-call.entity';
import { LogEntryEntity } from './log-entry.entity';
import { LogLevelCountEntity } from './log-level-count.entity';
import { CreateLogEntries1764000000000 } from './migrations/1764000000000-create-log-entries';
import { IndexLogEntriesForSearch1764000100000 } from './migrations/1764000100000-index-log-entries-for-search';
import { CreateAgentExecutions1764000100001 } from './migrations/1764000100001-create-agent-executions';
import { CreateWorkflowRecords1764000100002 } from './migrations/1764000100002-create-workflow-records';
import { CreateApiKeys1764000200000 } from './migrations/1764000200000-create-api-keys';
import { CreateWorkflowRuns1764000300000 } from './migrations/1764000300000-create-workflow-runs';
import { AddWorkflowRunsReplayOf1764000400000 } from './migrations/1764000400000-add-workflow-runs-replay-of';
import { CreateLlmCalls1764000500000 } from './migrations/1764000500000-create-llm-calls';
import { WorkflowRecordEntity } from './workflow-record.entity';
import { WorkflowRunEntity } from './workflow-run.entity';

export const ENTITIES = [
  LogEntryEntity,
  ApiKeyEntity,
  LogLevelCountEntity,
  AgentExecutionEntity,
  WorkflowRecordEntity,
  WorkflowRunEntity,
  LlmCallEntity,
];
export const MIGRATIONS = [
  CreateLogEntries1764000000000,
  IndexLogEntriesForSearch1764000100000,
  CreateAgentExecutions1764000100001,
  CreateWorkflowRecords1764000100002,
  CreateApiKeys1764000200000,
  CreateWorkflowRuns1764000300000,
  AddWorkflowRunsReplayOf1764000400000,
  CreateLlmCalls1764000500000,
];

/**
 * TypeORM options for the shared database. Tables live in `schema` (tests use one of their own);
 * the schema is changed only by migrations, never by `synchronize`.
 */
export function dataSourceOptions(params: {
  url: string;
  schema: string;
  applicationName: string;
}): DataSourceOptions {
  return {
    type: 'postgres',
    url: params.url,
    schema: params.schema,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    applicationName: params.applicationName,
    // Unqualified names in migrations resolve to the schema too.
    extra: { options: `-c search_path=${params.schema}`, max: 10, connectionTimeoutMillis: 5000 },
  };
}
