import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLogEntries1764000000000 implements MigrationInterface {
  name = 'CreateLogEntries1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "log_entries" (
        "id" uuid PRIMARY KEY,
        "timestamp" timestamptz NOT NULL,
        "level" varchar(10) NOT NULL CHECK ("level" IN ('debug', 'info', 'warning', 'error')),
        "workflow_id" uuid,
        "agent" varchar(100),
        "message" text NOT NULL,
        "metadata" jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(
      `CREATE INDEX "log_entries_workflow_time" ON "log_entries" ("workflow_id", "timestamp")`,
    );
    await queryRunner.query(`CREATE INDEX "log_entries_agent_time" ON "log_entries" ("agent", "timestamp")`);
    await queryRunner.query(`CREATE INDEX "log_entries_level_time" ON "log_entries" ("level", "timestamp")`);
    await queryRunner.query(`CREATE INDEX "log_entries_time" ON "log_entries" ("timestamp")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "log_entries"`);
  }
}
