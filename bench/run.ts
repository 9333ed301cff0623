// First: with OTEL_EXPORTER_OTLP_ENDPOINT set, the benchmarks run traced, as the apps would.
import './support/bench-tracing';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchRow, meetsTarget } from './bench-row';

/** Benchmarks too long for the default run (the soak takes ten minutes): they run only when named. */
const ONLY_WHEN_NAMED = ['soak'];

/**
 * `npm run bench [name...]`: runs every bench/*.bench.ts (or those named) against the machine's
 * Redis and PostgreSQL and prints one table. Each benchmark measures its baseline in the same run,
 * so the ratios hold on a busy machine even when the absolute figures move.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) =>
      only.length === 0
        ? !ONLY_WHEN_NAMED.some((name) => file.startsWith(name))
        : only.some((name) => file.startsWith(name)),
    );
  const rows: BenchRow[] = [];
  for (const file of files) {
    process.stderr.write(`running ${file}...\n`);
    const module = (await import(join(__dirname, file))) as { default: () => Promise<BenchRow[]> };
    rows.push(...(await module.default()));
  }
  const format = (value: number | null, digits = 2) => (value === null ? '-' : value.toFixed(digits));
  const table = rows.map((benchRow) => ({
    benchmark: benchRow.benchmark,
    metric: `${benchRow.metric} (${benchRow.unit})`,
    ours: format(benchRow.ours),
    baseline: benchRow.baselineName ? `${format(benchRow.baseline)} ${benchRow.baselineName}` : '-',
    ratio: format(benchRow.ratio),
    target: benchRow.target ?? '-',
    met: benchRow.target ? (meetsTarget(benchRow) ? 'yes' : 'NO') : '-',
  }));
  const columns = Object.keys(table[0] ?? {}) as (keyof (typeof table)[number])[];
  const widths = columns.map((column) =>
    Math.max(column.length, ...table.map((line) => line[column].length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`${line(columns)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const entry of table) process.stdout.write(`${line(columns.map((column) => entry[column]))}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
