// ANALYZE: per-column statistics from one pass over a table (exact distinct counts while small,
// HyperLogLog beyond; a reservoir sample for the equi-depth histogram).

import type { ColumnStats, TableStats } from '../../compiler/catalog/index.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import { compareBytes, encodeKey, keyString } from './keys.ts';

const EXACT_DISTINCT_LIMIT = 50_000;
const SAMPLE_SIZE = 30_000;
const HISTOGRAM_BUCKETS = 100;
const HLL_BITS = 14;

/** HyperLogLog with 2^14 registers (standard error ≈ 0.8%). */
class HyperLogLog {
  private readonly registers = new Uint8Array(1 << HLL_BITS);
  add(hash: number): void {
    const idx = hash >>> (32 - HLL_BITS);
    const rest = (hash << HLL_BITS) >>> 0;
    const rank = rest === 0 ? 32 - HLL_BITS + 1 : Math.clz32(rest) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }
  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const raw = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
    return Math.round(raw);
  }
}

/** Murmur3's 32-bit hash of the bytes of a latin1 string. */
function hash32(s: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

class ColumnCollector {
  private nulls = 0;
  private width = 0;
  private exact: Set<string> | undefined = new Set();
  private hll: HyperLogLog | undefined;
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
    if (this.exact) {
      this.exact.add(ks);
      if (this.exact.size > EXACT_DISTINCT_LIMIT) {
        this.hll = new HyperLogLog();
        for (const s of this.exact) this.hll.add(hash32(s));
        this.exact = undefined;
      }
    } else this.hll!.add(hash32(ks));
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

  finish(rowCount: number): ColumnStats {
    const nonNull = rowCount - this.nulls;
    const distinct = this.exact ? this.exact.size : Math.min(nonNull, this.hll!.estimate());
    const stats: { -readonly [K in keyof ColumnStats]: ColumnStats[K] } = {
      distinctCount: distinct,
      nullFraction: rowCount === 0 ? 0 : this.nulls / rowCount,
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

/** Statistics over all rows of a table, fed one row at a time. */
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

  finish(): TableStats {
    const columns: Record<string, ColumnStats> = {};
    this.columns.forEach((c, i) => (columns[this.names[i]!] = c.finish(this.rows)));
    return { rowCount: this.rows, columns };
  }
}
