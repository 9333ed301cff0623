import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projection of every workflow that `GET /workflows` lists and searches: keyset pages on
 * (created_at, id) under each filter, a trigram index for text in the input or the error.
 * Backfilled from the archive; the metrics service keeps it up to date from then on.
 */
export class CreateWorkflowRuns1764000300000 implements MigrationInterface {
  name = 'CreateWorkflowRuns1764000300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // pg_trgm lives in `public` (see IndexLogEntriesForSearch): found where it is.
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
    const [{ schema }] = (await queryRunner.query(
      `SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`,
    )) as { schema: string }[];
    await queryRunner.query(`
      CREATE TABLE "workflow_runs" (
        "id" uuid PRIMARY KEY,
        "type" varchar(100) NOT NULL,
        "status" varchar(20) NOT NULL,
        "tenant_id" varchar(200) NOT NULL,
        "session_id" varchar(200) NOT NULL,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "finished_at" timestamptz,
        "error" text,
        "input" jsonb NOT NULL,
        "completed_steps" integer NOT NULL,
        "total_steps" integer NOT NULL,
        "last_event_id" bigint NOT NULL,
        "search" text GENERATED ALWAYS AS (lower("input"::text || ' ' || coalesce("error", ''))) STORED,
        "site_url" text,
        "projected_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX "workflow_runs_keyset" ON "workflow_runs" ("created_at" DESC, "id" DESC)`,
    );
    for (const column of ['tenant_id', 'status', 'type']) {
      await queryRunner.query(
        `CREATE INDEX "workflow_runs_${column}_keyset" ON "workflow_runs" ("${column}", "created_at", "id")`,
      );
    }
    await queryRunner.query(
      `CREATE INDEX "workflow_runs_search_trgm" ON "workflow_runs" USING gin ("search" ${schema}.gin_trgm_ops)`,
    );
    // Archived workflows have finished; their event ids were not archived (0: any live state wins).
    await queryRunner.query(`
      INSERT INTO "workflow_runs" (id, type, status, tenant_id, session_id, created_at, updated_at, finished_at,
                                   error, input, completed_steps, total_steps, last_event_id, site_url)
      SELECT id, type, status, tenant_id, session_id, created_at,
             coalesce((state->>'updatedAt')::timestamptz, finished_at, created_at), finished_at,
             state->>'error', coalesce(state->'input', '{}'::jsonb),
             (SELECT count(*) FROM jsonb_array_elements(state->'steps') AS step
               WHERE step->>'lifecycle' = 'COMPLETED'),
             coalesce(jsonb_array_length(state->'steps'), 0),
             coalesce((state->>'lastEventId')::bigint, 0),
             (SELECT output->>'path' FROM jsonb_each(
                CASE WHEN jsonb_typeof(state->'result') = 'object' THEN state->'result' ELSE '{}'::jsonb END
              ) AS result(step, output)
               WHERE jsonb_typeof(output) = 'object' AND output->>'path' LIKE '/sites/%' LIMIT 1)
      FROM "workflow_records"
      ON CONFLICT (id) DO NOTHING`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "workflow_runs"`);
  }
}
