import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiKeys1764000200000 implements MigrationInterface {
  name = 'CreateApiKeys1764000200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "api_keys" (
        "id" varchar(32) PRIMARY KEY,
        "tenant_id" varchar(100) NOT NULL,
        "role" varchar(10) NOT NULL CHECK ("role" IN ('admin', 'client')),
        "name" varchar(200) NOT NULL,
        "secret_hash" char(64) NOT NULL,
        "created_at" timestamptz NOT NULL,
        "revoked_at" timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX "api_keys_tenant" ON "api_keys" ("tenant_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
