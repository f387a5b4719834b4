// Window functions: ranking, lag/lead, first/last/nth value, ntile and aggregates over ROWS /
// RANGE / GROUPS frames, per partition of the sorted input.

import type { FrameBound, SortKey } from '../../../compiler/ir/expr.ts';
import type { WindowItem } from '../../../compiler/ir/plan.ts';
import type { PWindow } from '../../../compiler/physical/plan.ts';
import { type RowAcc, rowAccumulator } from '../accumulators.ts';
import { evalScalar, layoutOf } from '../compile.ts';
import type { Evaluator, RunCtx } from '../context.ts';
import { fail } from '../errors.ts';
import { KeyTable } from '../keys.ts';
import { type Chunk, type Vec, concatChunks, emptyChunk, gatherChunk, numberAt, valueAt, vecFromValues } from '../vector.ts';
import { Blocking, type Operator, checkCancel, evaluator, typesOf } from './operator.ts';
import { rowComparator } from './sort.ts';

const RANKING = new Set(['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value']);

interface Compiled {
  readonly item: WindowItem;
  readonly partition: Evaluator[];
  readonly order: Evaluator[];
  readonly args: Evaluator[];
  readonly filter: Evaluator | undefined;
}

export class WindowOp extends Blocking {
  private readonly items: Compiled[];
  constructor(
    private readonly plan: PWindow,
    private readonly input: Operator,
    rc: RunCtx,
  ) {
    super(rc);
    const layout = layoutOf(plan.input.schema);
    const ev = (e: Parameters<typeof evaluator>[2]): Evaluator => evaluator(rc, plan, e, layout);
    this.items = plan.windows.map((item) => ({
      item,
      partition: item.call.partitionBy.map(ev),
      order: item.call.orderBy.map((k) => ev(k.expr)),
      args: item.call.args.map(ev),
      filter: item.call.filter ? ev(item.call.filter) : undefined,
    }));
  }

  protected compute(): Chunk {
    const rc = this.rc;
    const types = typesOf(this.plan.input);
    const cs: Chunk[] = [];
    for (let c = this.input.next(); c !== null; c = this.input.next()) {
      checkCancel(rc);
      cs.push(c);
    }
    this.input.close();
    const all = cs.length === 0 ? emptyChunk(types) : concatChunks(types, cs);
    const cols: Vec[] = [...all.columns];
    let order: Uint32Array = new Uint32Array(all.length).map((_, i) => i);
    for (const w of this.items) {
      const r = this.computeOne(w, all);
      cols.push(vecFromValues(w.item.column.type, r.values));
      order = r.order;
    }
    return gatherChunk({ columns: cols, length: all.length }, order);
  }

  private computeOne(w: Compiled, all: Chunk): { values: unknown[]; order: Uint32Array } {
    const rc = this.rc;
    const n = all.length;
    const call = w.item.call;
    const pv = w.partition.map((f) => f(all, rc));
    const ov = w.order.map((f) => f(all, rc));
    const pid = new KeyTable(pv.length).ids(pv, n, true);
    const cmpOrder = rowComparator(call.orderBy, ov);
    const order = new Uint32Array(n).map((_, i) => i).sort((a, b) => pid[a]! - pid[b]! || cmpOrder(a, b));
    const args = w.args.map((f) => f(all, rc));
    const filt = w.filter?.(all, rc);
    const out = new Array<unknown>(n).fill(null);
    const hasOrder = call.orderBy.length > 0;
    let start = 0;
    while (start < n) {
      let end = start + 1;
      while (end < n && pid[order[end]!] === pid[order[start]!]) end++;
      const rows = order.subarray(start, end);
      // Peer groups: rows equal on ORDER BY (all rows when there is none).
      const len = rows.length;
      const peerStart = new Int32Array(len);
      const peerEnd = new Int32Array(len);
      const group = new Int32Array(len);
      let g = 0;
      for (let p = 0; p < len; p++) {
        const newPeer = p === 0 || (hasOrder && cmpOrder(rows[p - 1]!, rows[p]!) !== 0);
        if (newPeer && p > 0) g++;
        group[p] = g;
        peerStart[p] = newPeer ? p : peerStart[p - 1]!;
      }
      for (let p = len - 1; p >= 0; p--) peerEnd[p] = p === len - 1 || group[p + 1] !== group[p] ? p : peerEnd[p + 1]!;
      const part: Partition = { rows, len, peerStart, peerEnd, group, groups: g + 1 };
      if (RANKING.has(call.fn)) this.ranking(w, part, args, out, ov);
      else this.aggregate(w, part, args, filt, out, ov);
      start = end;
    }
    return { values: out, order };
  }

  private ranking(w: Compiled, part: Partition, args: Vec[], out: unknown[], ov: Vec[]): void {
    const { rows, len, peerStart, peerEnd, group } = part;
    const fn = w.item.call.fn;
    const big = w.item.column.type.kind === 'int64';
    const num = (x: number): unknown => (big ? BigInt(x) : x);
    for (let p = 0; p < len; p++) {
      const r = rows[p]!;
      switch (fn) {
        case 'row_number': out[r] = num(p + 1); break;
        case 'rank': out[r] = num(peerStart[p]! + 1); break;
        case 'dense_rank': out[r] = num(group[p]! + 1); break;
        case 'percent_rank': out[r] = len === 1 ? 0 : peerStart[p]! / (len - 1); break;
        case 'cume_dist': out[r] = (peerEnd[p]! + 1) / len; break;
        case 'ntile': {
          const nv = valueAt(args[0]!, r);
          if (nv === null) {
            out[r] = null;
            break;
          }
          const buckets = Number(nv);
          if (buckets <= 0) fail('invalid_ntile_argument', 'argument of ntile must be greater than zero');
          const base = Math.floor(len / buckets);
          const extra = len % buckets;
          const bigRows = extra * (base + 1);
          out[r] = num(p < bigRows ? Math.floor(p / (base + 1)) + 1 : extra + Math.floor((p - bigRows) / Math.max(base, 1)) + 1);
          break;
        }
        case 'lag':
        case 'lead': {
          const offV = args[1] ? valueAt(args[1], r) : 1;
          if (offV === null) {
            out[r] = null;
            break;
          }
          const q = fn === 'lag' ? p - Number(offV) : p + Number(offV);
          out[r] = q >= 0 && q < len ? valueAt(args[0]!, rows[q]!) : args[2] ? valueAt(args[2], r) : null;
          break;
        }
        default: {
          const [fs, fe] = this.frame(w, part, p, ov);
          if (fs > fe) {
            out[r] = null;
            break;
          }
          if (fn === 'first_value') out[r] = valueAt(args[0]!, rows[fs]!);
          else if (fn === 'last_value') out[r] = valueAt(args[0]!, rows[fe]!);
          else {
            const nth = valueAt(args[1]!, r);
            if (nth === null) {
              out[r] = null;
              break;
            }
            if (Number(nth) <= 0) fail('invalid_parameter_value', 'argument of nth_value must be greater than zero');
            const q = fs + Number(nth) - 1;
            out[r] = q <= fe ? valueAt(args[0]!, rows[q]!) : null;
          }
        }
      }
    }
  }

  private aggregate(w: Compiled, part: Partition, args: Vec[], filt: Vec | undefined, out: unknown[], ov: Vec[]): void {
    const call = w.item.call;
    const factory = rowAccumulator(call.fn, call.args.map((a) => a.type), call.type);
    const { rows, len } = part;
    const argv = new Array<unknown>(args.length);
    const feed = (acc: RowAcc, q: number): void => {
      const r = rows[q]!;
      if (filt && ((filt.data as Uint8Array)[r] !== 1 || (filt.valid !== null && filt.valid[r] === 0))) return;
      for (let j = 0; j < args.length; j++) argv[j] = valueAt(args[j]!, r);
      acc.add(argv);
    };
    if (call.frame.start.kind === 'unbounded-preceding') {
      // Running aggregate: the frame end only moves forward, so each row is added once.
      const acc = factory();
      let added = 0;
      let last: unknown = null;
      let lastEnd = -2;
      for (let p = 0; p < len; p++) {
        const fe = this.frame(w, part, p, ov)[1];
        if (fe !== lastEnd) {
          while (added <= fe) feed(acc, added++);
          last = acc.result();
          lastEnd = fe;
        }
        out[rows[p]!] = fe < 0 ? factory().result() : last;
      }
      return;
    }
    for (let p = 0; p < len; p++) {
      const [fs, fe] = this.frame(w, part, p, ov);
      const acc = factory();
      for (let q = Math.max(0, fs); q <= Math.min(len - 1, fe); q++) feed(acc, q);
      out[rows[p]!] = acc.result();
    }
  }

  /** Inclusive frame bounds [start, end] as partition positions for the row at position p. */
  private frame(w: Compiled, part: Partition, p: number, ov: Vec[]): [number, number] {
    const f = w.item.call.frame;
    const s = this.bound(f.units, f.start, w, part, p, ov, true);
    const e = this.bound(f.units, f.end, w, part, p, ov, false);
    return [Math.max(0, s), Math.min(part.len - 1, e)];
  }

  private offset(b: FrameBound): number {
    if (b.kind !== 'preceding' && b.kind !== 'following') return 0;
    const v = evalScalar(b.offset, this.rc, this.rc.fnEnv);
    if (v === null) fail('invalid_window_frame', 'frame starting offset must not be null');
    const n = typeof v === 'object' ? Number.NaN : Number(v);
    if (n < 0) fail('invalid_window_frame', 'frame starting offset must not be negative');
    return n;
  }

  private bound(units: 'rows' | 'range' | 'groups', b: FrameBound, w: Compiled, part: Partition, p: number, ov: Vec[], isStart: boolean): number {
    const { len, peerStart, peerEnd, group } = part;
    switch (b.kind) {
      case 'unbounded-preceding':
        return 0;
      case 'unbounded-following':
        return len - 1;
      case 'current-row':
        return units === 'rows' ? p : isStart ? peerStart[p]! : peerEnd[p]!;
      default: {
        const n = this.offset(b);
        const sign = b.kind === 'preceding' ? -1 : 1;
        if (units === 'rows') return p + sign * n;
        if (units === 'groups') {
          const target = group[p]! + sign * n;
          if (isStart) {
            for (let q = 0; q < len; q++) if (group[q]! >= target) return q;
            return len;
          }
          for (let q = len - 1; q >= 0; q--) if (group[q]! <= target) return q;
          return -1;
        }
        return rangeBound(w.item.call.orderBy[0]!, ov[0]!, part, p, sign * n, isStart);
      }
    }
  }
}

interface Partition {
  readonly rows: Uint32Array;
  readonly len: number;
  readonly peerStart: Int32Array;
  readonly peerEnd: Int32Array;
  readonly group: Int32Array;
  readonly groups: number;
}

/** RANGE offset frames over one numeric ORDER BY key: rows whose key lies within value ± offset. */
function rangeBound(key: SortKey, v: Vec, part: Partition, p: number, delta: number, isStart: boolean): number {
  const { rows, len, peerStart, peerEnd } = part;
  const r = rows[p]!;
  if (v.valid !== null && v.valid[r] === 0) return isStart ? peerStart[p]! : peerEnd[p]!;
  const dir = key.descending ? -1 : 1;
  const target = numberAt(v, r) + dir * delta;
  const isNull = (q: number): boolean => v.valid !== null && v.valid[rows[q]!] === 0;
  const beforeTarget = (q: number): boolean => (dir === 1 ? numberAt(v, rows[q]!) < target : numberAt(v, rows[q]!) > target);
  const afterTarget = (q: number): boolean => (dir === 1 ? numberAt(v, rows[q]!) > target : numberAt(v, rows[q]!) < target);
  if (isStart) {
    for (let q = 0; q < len; q++) if (!isNull(q) && !beforeTarget(q)) return q;
    return len;
  }
  for (let q = len - 1; q >= 0; q--) if (!isNull(q) && !afterTarget(q)) return q;
  return -1;
}
