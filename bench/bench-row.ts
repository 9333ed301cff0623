/** One line of the `npm run bench` table: our figure beside a baseline measured in the same run. */
export interface BenchRow {
  benchmark: string;
  metric: string;
  unit: string;
  ours: number;
  baseline: number | null;
  baselineName: string | null;
  /** ours / baseline. */
  ratio: number | null;
  /** The target for the ratio, e.g. "<= 1.5" or ">= 0.7"; null when informational. */
  target: string | null;
}

export function row(fields: Omit<BenchRow, 'ratio'>): BenchRow {
  const ratio = fields.baseline ? fields.ours / fields.baseline : null;
  return { ...fields, ratio };
}

/** True when the row's ratio meets its target (or it has none). */
export function meetsTarget(benchRow: BenchRow): boolean {
  if (!benchRow.target || benchRow.ratio === null) return true;
  const [, operator, value] = /^(<=|>=)\s*([\d.]+)$/.exec(benchRow.target) ?? [];
  return operator === '<=' ? benchRow.ratio <= Number(value) : benchRow.ratio >= Number(value);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
