import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAgentExecutions1764000100001 implements MigrationInterface {
  name = 'CreateAgentExecutions1764000100001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "agent_executions" (
        "id" uuid PRIMARY KEY,
        "workflow_id" uuid NOT NULL,
        "workflow_type" varchar(100) NOT NULL,
        "step_id" varchar(100) NOT NULL,
        "agent" varchar(100) NOT NULL,
        "attempt" integer NOT NULL,
        "outcome" varchar(10) NOT NULL CHECK ("outcome" IN ('success', 'error')),
        "error_kind" varchar(50),
        "duration_ms" integer NOT NULL CHECK ("duration_ms" >= 0),
        "started_at" timestamptz NOT NULL,
        "finished_at" timestamptz NOT NULL
      )`);
    // The summary and the Prometheus scrape group by agent: an index-only scan covers them.
    await queryRunner.query(
      `CREATE INDEX "agent_executions_agent_finished" ON "agent_executions" ("agent", "finished_at") INCLUDE ("outcome", "duration_ms")`,
    );
    await queryRunner.query(
      `CREATE INDEX "agent_executions_finished" ON "agent_executions" ("finished_at") INCLUDE ("agent", "outcome", "duration_ms")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "agent_executions"`);
  }
}
