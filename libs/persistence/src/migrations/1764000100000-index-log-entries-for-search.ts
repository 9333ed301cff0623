import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyset pages on (timestamp, id) under each filter, a trigram index for text search, and the
 * per-level tally behind `log_entries_total`.
 */
export class IndexLogEntriesForSearch1764000100000 implements MigrationInterface {
  name = 'IndexLogEntriesForSearch1764000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Extensions belong to the database, not to a schema: keep pg_trgm in `public` so that
    // dropping one app schema (tests use many) never drops it from under the others.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
    const [{ schema }] = (await queryRunner.query(
      `SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`,
    )) as { schema: string }[];
    for (const column of ['workflow_id', 'agent', 'level']) {
      await queryRunner.query(
        `DROP INDEX "log_entries_${column === 'workflow_id' ? 'workflow' : column}_time"`,
      );
      await queryRunner.query(
        `CREATE INDEX "log_entries_${column}_keyset" ON "log_entries" ("${column}", "timestamp", "id")`,
      );
    }
    await queryRunner.query(`DROP INDEX "log_entries_time"`);
    await queryRunner.query(`CREATE INDEX "log_entries_keyset" ON "log_entries" ("timestamp", "id")`);
    await queryRunner.query(
      `CREATE INDEX "log_entries_message_trgm" ON "log_entries" USING gin ("message" ${schema}.gin_trgm_ops)`,
    );
    await queryRunner.query(`
      CREATE TABLE "log_level_counts" (
        "level" varchar(10) PRIMARY KEY,
        "count" bigint NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(
      `INSERT INTO "log_level_counts" ("level", "count") SELECT "level", count(*) FROM "log_entries" GROUP BY "level"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "log_level_counts"`);
    await queryRunner.query(`DROP INDEX "log_entries_message_trgm"`);
    await queryRunner.query(`DROP INDEX "log_entries_keyset"`);
    await queryRunner.query(`CREATE INDEX "log_entries_time" ON "log_entries" ("timestamp")`);
    for (const column of ['workflow_id', 'agent', 'level']) {
      await queryRunner.query(`DROP INDEX "log_entries_${column}_keyset"`);
      await queryRunner.query(
        `CREATE INDEX "log_entries_${column === 'workflow_id' ? 'workflow' : column}_time" ON "log_entries" ("${column}", "timestamp")`,
      );
    }
  }
}
