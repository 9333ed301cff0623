import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The workflow a run replays (`POST /workflows/:id/replay`), in the projection, so the replays of
 * a workflow can be found in PostgreSQL. Backfilled from the archived states that name one.
 */
export class AddWorkflowRunsReplayOf1764000400000 implements MigrationInterface {
  name = 'AddWorkflowRunsReplayOf1764000400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_runs" ADD COLUMN "replay_of" uuid`);
    await queryRunner.query(
      `CREATE INDEX "workflow_runs_replay_of" ON "workflow_runs" ("replay_of") WHERE "replay_of" IS NOT NULL`,
    );
    await queryRunner.query(`
      UPDATE "workflow_runs" AS run SET "replay_of" = (record.state->'replayOf'->>'workflowId')::uuid
      FROM "workflow_records" AS record
      WHERE record.id = run.id AND record.state ? 'replayOf'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "workflow_runs" DROP COLUMN "replay_of"`);
  }
}
