import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLlmCalls1764000500000 implements MigrationInterface {
  name = 'CreateLlmCalls1764000500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "llm_calls" (
        "id" uuid PRIMARY KEY,
        "workflow_id" uuid NOT NULL,
        "workflow_type" varchar(100) NOT NULL,
        "tenant_id" varchar(100) NOT NULL,
        "step_id" varchar(200) NOT NULL,
        "agent" varchar(100) NOT NULL,
        "provider" varchar(50) NOT NULL,
        "model" varchar(200) NOT NULL,
        "prompt_tokens" integer NOT NULL CHECK ("prompt_tokens" >= 0),
        "completion_tokens" integer NOT NULL CHECK ("completion_tokens" >= 0),
        "is_estimated" boolean NOT NULL,
        "cost_usd" numeric(18, 9) NOT NULL CHECK ("cost_usd" >= 0),
        "duration_ms" integer NOT NULL CHECK ("duration_ms" >= 0),
        "outcome" varchar(50) NOT NULL,
        "started_at" timestamptz NOT NULL,
        "finished_at" timestamptz NOT NULL
      )`);
    // The usage summaries read a time range, all tenants (admins) or one (clients).
    await queryRunner.query(`CREATE INDEX "llm_calls_finished" ON "llm_calls" ("finished_at")`);
    await queryRunner.query(
      `CREATE INDEX "llm_calls_tenant_finished" ON "llm_calls" ("tenant_id", "finished_at")`,
    );
    await queryRunner.query(`CREATE INDEX "llm_calls_workflow" ON "llm_calls" ("workflow_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "llm_calls"`);
  }
}
