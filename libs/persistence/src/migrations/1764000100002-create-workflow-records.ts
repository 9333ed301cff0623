import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWorkflowRecords1764000100002 implements MigrationInterface {
  name = 'CreateWorkflowRecords1764000100002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "workflow_records" (
        "id" uuid PRIMARY KEY,
        "type" varchar(100) NOT NULL,
        "status" varchar(20) NOT NULL,
        "tenant_id" varchar(200) NOT NULL,
        "session_id" varchar(200) NOT NULL,
        "created_at" timestamptz NOT NULL,
        "finished_at" timestamptz,
        "state" jsonb NOT NULL,
        "archived_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "workflow_records_created" ON "workflow_records" ("created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "workflow_records_status_created" ON "workflow_records" ("status", "created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "workflow_records_tenant_created" ON "workflow_records" ("tenant_id", "created_at")`,
    );
    await queryRunner.query(`CREATE INDEX "workflow_records_session" ON "workflow_records" ("session_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "workflow_records"`);
  }
}
