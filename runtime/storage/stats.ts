// ANALYZE: per-column statistics from a Bernoulli sample of a table's rows (all rows of a small
// table). Distinct counts are scaled from the sample with Haas and Stokes' Duj1 estimator, the one
// PostgreSQL uses; the histogram and bounds come from the sample, so a table of any size costs
// about the same to analyze.

import type { ColumnStats, TableStats } from '../../compiler/catalog/index.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import { compareBytes, encodeKey, keyString } from './keys.ts';

/** Rows decoded per table at most (PostgreSQL's default_statistics_target 100 reads 30,000). */
export const SAMPLE_ROWS = 100_000;
const HISTOGRAM_BUCKETS = 100;
/** Values per column the histogram is cut from (a reservoir within the sample). */
const SAMPLE_SIZE = 30_000;

/**
 * Duj1: distinct values in a table of `total` rows from a sample of `n` rows holding `d` distinct
 * values, `f1` of them seen once. Exact when the sample is the whole table.
 */
export function estimateDistinct(n: number, d: number, f1: number, total: number): number {
  if (n >= total || n === 0) return d;
  const est = (n * d) / (n - f1 + (f1 * n) / total);
  return Math.round(Math.min(total, Math.max(d, est)));
}

class ColumnCollector {
  private nulls = 0;
  private width = 0;
  private readonly counts = new Map<string, number>();
  private min: { key: Uint8Array; value: unknown } | undefined;
  private max: { key: Uint8Array; value: unknown } | undefined;
  private readonly sample: { key: Uint8Array; value: unknown }[] = [];
  private readonly types: DataType[];
  private readonly orderable: boolean;

  constructor(private readonly type: DataType) {
    this.types = [type];
    this.orderable = !['json', 'list', 'struct', 'vector', 'interval', 'bool', 'binary'].includes(type.kind);
  }

  add(v: unknown, rowIndex: number, random: () => number): void {
    if (v === null || v === undefined) {
      this.nulls++;
      return;
    }
    const key = encodeKey(this.types, [v]);
    this.width += key.length - 1;
    const ks = keyString(key);
    this.counts.set(ks, (this.counts.get(ks) ?? 0) + 1);
    if (!this.orderable) return;
    if (!this.min || compareBytes(key, this.min.key) < 0) this.min = { key, value: v };
    if (!this.max || compareBytes(key, this.max.key) > 0) this.max = { key, value: v };
    const seen = rowIndex - this.nulls;
    if (this.sample.length < SAMPLE_SIZE) this.sample.push({ key, value: v });
    else {
      const j = Math.floor(random() * (seen + 1));
      if (j < SAMPLE_SIZE) this.sample[j] = { key, value: v };
    }
  }

  /** Statistics of a table of `total` rows from the `sampled` rows fed to `add`. */
  finish(sampled: number, total: number): ColumnStats {
    const nonNull = sampled - this.nulls;
    let once = 0;
    for (const c of this.counts.values()) if (c === 1) once++;
    const nullFraction = sampled === 0 ? 0 : this.nulls / sampled;
    const stats: { -readonly [K in keyof ColumnStats]: ColumnStats[K] } = {
      distinctCount: estimateDistinct(nonNull, this.counts.size, once, Math.round(total * (1 - nullFraction))),
      nullFraction,
      avgWidth: nonNull === 0 ? 0 : this.width / nonNull,
    };
    if (this.min && this.max) {
      stats.min = statValue(this.type, this.min.value);
      stats.max = statValue(this.type, this.max.value);
      const s = this.sample.sort((a, b) => compareBytes(a.key, b.key));
      const buckets = Math.min(HISTOGRAM_BUCKETS, s.length);
      const bounds: (number | string)[] = [];
      for (let b = 1; b <= buckets; b++) bounds.push(statValue(this.type, s[Math.ceil((b * s.length) / buckets) - 1]!.value));
      stats.histogram = bounds;
    }
    return stats;
  }
}

/** Numbers for numeric, date and timestamp columns; strings otherwise (as ColumnStats asks). */
function statValue(t: DataType, v: unknown): number | string {
  switch (t.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
    case 'date':
    case 'timestamp':
    case 'decimal':
      return Number(v);
    default:
      return String(v);
  }
}

/** Statistics of a table from its sampled rows, fed one row at a time. */
export class StatsCollector {
  private rows = 0;
  private readonly columns: ColumnCollector[];
  private seed = 0x2545f491;

  constructor(private readonly names: readonly string[], types: readonly DataType[]) {
    this.columns = types.map((t) => new ColumnCollector(t));
  }

  private readonly random = (): number => {
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    return (this.seed >>> 0) / 4294967296;
  };

  add(values: readonly unknown[]): void {
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.add(values[i], this.rows, this.random);
    this.rows++;
  }

  /** Whether the next row of a table of `total` rows belongs to the sample. */
  sampleNext(total: number): boolean {
    return total <= SAMPLE_ROWS || this.random() * total < SAMPLE_ROWS;
  }

  /** The statistics of a table of `total` rows (every row counted, a sample of them fed to `add`). */
  finish(total: number): TableStats {
    const columns: Record<string, ColumnStats> = {};
    this.columns.forEach((c, i) => (columns[this.names[i]!] = c.finish(this.rows, total)));
    return { rowCount: total, columns };
  }
}
