// Sort (multi-key, ASC/DESC, NULLS FIRST/LAST) and top-N (sort fused with LIMIT: keeps a bounded buffer).

import type { SortKey } from '../../../compiler/ir/expr.ts';
import type { PSort, PhysicalPlan, TopN } from '../../../compiler/physical/plan.ts';
import { layoutOf } from '../compile.ts';
import { compareValues } from '../compare.ts';
import type { Evaluator, RunCtx } from '../context.ts';
import { type Chunk, type Vec, concatChunks, emptyChunk, gatherChunk, sliceChunk } from '../vector.ts';
import { Blocking, type Operator, checkCancel, evaluator, typesOf } from './operator.ts';
import { countOf } from './basic.ts';

/** A row comparator over evaluated key vectors, honoring direction and NULLS FIRST/LAST. */
export function rowComparator(keys: readonly SortKey[], vecs: readonly Vec[]): (a: number, b: number) => number {
  const parts = keys.map((k, j) => keyComparator(k, vecs[j]!));
  if (parts.length === 1) return parts[0]!;
  return (a, b) => {
    for (let j = 0; j < parts.length; j++) {
      const c = parts[j]!(a, b);
      if (c !== 0) return c;
    }
    return 0;
  };
}

function keyComparator(k: SortKey, v: Vec): (a: number, b: number) => number {
  const dir = k.descending ? -1 : 1;
  const nullCmp = k.nullsFirst ? -1 : 1;
  const valid = v.valid;
  let base: (a: number, b: number) => number;
  const isFloat = v.type.kind === 'float64' || v.type.kind === 'float32';
  if ((v.rep === 'i32' || v.rep === 'f64' || v.rep === 'bool') && !isFloat) {
    const d = v.data as Float64Array;
    base = (a, b) => d[a]! - d[b]!;
  } else if (v.rep === 'big') {
    const d = v.data as bigint[];
    base = (a, b) => (d[a]! < d[b]! ? -1 : d[a]! > d[b]! ? 1 : 0);
  } else if (v.rep === 'obj' && (v.type.kind === 'utf8' || v.type.kind === 'unknown' || v.type.kind === 'uuid')) {
    const d = v.data as string[];
    base = (a, b) => (d[a]! < d[b]! ? -1 : d[a]! > d[b]! ? 1 : 0);
  } else if (isFloat) {
    const d = v.data as Float64Array;
    base = (a, b) => compareValues(d[a], d[b], v.type);
  } else {
    const d = v.data as unknown[];
    base = (a, b) => compareValues(d[a], d[b], v.type);
  }
  if (valid === null) return dir === 1 ? base : (a, b) => -base(a, b);
  return (a, b) => {
    const na = valid[a] === 0;
    const nb = valid[b] === 0;
    if (na || nb) return na && nb ? 0 : na ? nullCmp : -nullCmp;
    return dir * base(a, b);
  };
}

/** Row order of a chunk under sort keys (stable). */
export function sortOrder(c: Chunk, keys: readonly SortKey[], evals: readonly Evaluator[], rc: RunCtx): Uint32Array {
  const vecs = evals.map((f) => f(c, rc));
  const idx = new Uint32Array(c.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort(rowComparator(keys, vecs));
}

function collect(input: Operator, rc: RunCtx, plan: PhysicalPlan): Chunk {
  const cs: Chunk[] = [];
  for (let c = input.next(); c !== null; c = input.next()) {
    checkCancel(rc);
    cs.push(c);
  }
  input.close();
  return cs.length === 0 ? emptyChunk(typesOf(plan)) : concatChunks(typesOf(plan), cs);
}

export class SortOp extends Blocking {
  private readonly keys: Evaluator[];
  constructor(
    private readonly plan: PSort,
    private readonly input: Operator,
    rc: RunCtx,
  ) {
    super(rc);
    const layout = layoutOf(plan.input.schema);
    this.keys = plan.keys.map((k) => evaluator(rc, plan, k.expr, layout));
  }
  protected compute(): Chunk {
    const all = collect(this.input, this.rc, this.plan.input);
    if (all.length <= 1) return all;
    return gatherChunk(all, sortOrder(all, this.plan.keys, this.keys, this.rc));
  }
}

/** Keeps at most max(2·k, batch) buffered rows, compacting to the best k by sorting. */
export class TopNOp extends Blocking {
  private readonly keys: Evaluator[];
  constructor(
    private readonly plan: TopN,
    private readonly input: Operator,
    rc: RunCtx,
  ) {
    super(rc);
    const layout = layoutOf(plan.input.schema);
    this.keys = plan.keys.map((k) => evaluator(rc, plan, k.expr, layout));
  }
  protected compute(): Chunk {
    const rc = this.rc;
    const types = typesOf(this.plan.input);
    const limit = countOf(this.plan.limit, rc, 'LIMIT');
    const offset = countOf(this.plan.offset, rc, 'OFFSET') ?? 0;
    if (limit === undefined) {
      const all = collect(this.input, rc, this.plan.input);
      const sorted = all.length <= 1 ? all : gatherChunk(all, sortOrder(all, this.plan.keys, this.keys, rc));
      return sliceChunk(sorted, Math.min(offset, sorted.length), sorted.length);
    }
    const k = limit + offset;
    if (k === 0) {
      this.input.close();
      return emptyChunk(types);
    }
    const cap = Math.max(2 * k, rc.batchSize);
    let buf: Chunk[] = [];
    let buffered = 0;
    const compact = (): Chunk => {
      const all = concatChunks(types, buf);
      const order = sortOrder(all, this.plan.keys, this.keys, rc);
      return gatherChunk(all, order.subarray(0, Math.min(k, order.length)));
    };
    for (let c = this.input.next(); c !== null; c = this.input.next()) {
      checkCancel(rc);
      buf.push(c);
      buffered += c.length;
      if (buffered > cap) {
        const best = compact();
        buf = [best];
        buffered = best.length;
      }
    }
    this.input.close();
    if (buf.length === 0) return emptyChunk(types);
    const best = compact();
    return sliceChunk(best, Math.min(offset, best.length), best.length);
  }
}
