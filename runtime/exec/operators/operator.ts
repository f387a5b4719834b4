// The operator protocol (pull one chunk at a time) and helpers every operator shares.

import type { Expr } from '../../../compiler/ir/expr.ts';
import type { PhysicalPlan } from '../../../compiler/physical/plan.ts';
import type { DataType } from '../../../compiler/ir/types.ts';
import { type Layout, compileExpr, compileFilter } from '../compile.ts';
import type { Selector } from '../fuse.ts';
import type { Evaluator, RunCtx } from '../context.ts';
import { ExecError } from '../errors.ts';
import { type Chunk, ColumnCollector, concatChunks, emptyChunk, sliceChunk } from '../vector.ts';

/**
 * A physical operator instance. Built lazily from a plan node: no work happens before the first
 * `next()`. `next()` returns a non-empty chunk, or null once the operator is exhausted.
 */
export interface Operator {
  next(): Chunk | null;
  close(): void;
}

/**
 * A chunk whose rows `sel[0..n)` are the output (`sel` null: all of them). `sel` may be a buffer
 * the producer reuses: it is valid until the producer is pulled again.
 */
export interface Selected {
  readonly chunk: Chunk;
  readonly sel: Uint32Array | null;
  readonly n: number;
}

/**
 * An operator that can hand out its input chunks with a selection instead of gathering the rows
 * that pass (filters, scans): a consumer that can skip rows saves the copy.
 */
export interface SelectiveOperator extends Operator {
  nextSelected(): Selected | null;
}

/**
 * One byte per row of `s.chunk`, 1 for the selected rows: in `buf` when it is long enough (the
 * caller's buffer from the previous batch, whose marks are cleared), else in a new array.
 */
export function markSelected(buf: Uint8Array | null, s: Selected): Uint8Array {
  const n = s.chunk.length;
  const active = buf !== null && buf.length >= n ? buf : new Uint8Array(n);
  if (active === buf) active.fill(0, 0, n);
  const sel = s.sel!;
  for (let i = 0; i < s.n; i++) active[sel[i]!] = 1;
  return active;
}

export const isSelective = (op: Operator): op is SelectiveOperator => typeof (op as Partial<SelectiveOperator>).nextSelected === 'function';

/** Builds the operator tree of a plan node (implemented in build.ts; passed down to avoid cycles). */
export type BuildFn = (plan: PhysicalPlan, rc: RunCtx) => Operator;

/** The compiled evaluator of `e` in `node`, compiled once per statement (`scratch`: see compileExpr; a node passes it for all its expressions or none). */
export function evaluator(rc: RunCtx, node: PhysicalPlan, e: Expr, layout: Layout, scratch = false): Evaluator {
  let m = rc.compiled.get(node);
  if (!m) {
    m = new Map();
    rc.compiled.set(node, m);
  }
  let f = m.get(e);
  if (!f) {
    f = compileExpr(e, layout, rc.fnEnv, scratch);
    m.set(e, f);
  }
  return f;
}

/** The compiled filter of `node` (its predicate `e`), compiled once per statement. */
export function selector(rc: RunCtx, node: PhysicalPlan, e: Expr, layout: Layout): Selector {
  let f = rc.selectors.get(node);
  if (!f) {
    f = compileFilter(e, layout, rc.fnEnv);
    rc.selectors.set(node, f);
  }
  return f;
}

export function checkCancel(rc: RunCtx): void {
  if (rc.signal?.aborted) throw new ExecError('query_canceled');
}

/** Pulls every chunk of an operator. */
export function drain(op: Operator): Chunk[] {
  const out: Chunk[] = [];
  for (let c = op.next(); c !== null; c = op.next()) out.push(c);
  op.close();
  return out;
}

/** Pulls an operator completely into one chunk. */
export function materialize(op: Operator, types: readonly DataType[]): Chunk {
  const cs = drain(op);
  return cs.length === 0 ? emptyChunk(types) : concatChunks(types, cs);
}

/**
 * Pulls an operator completely into one chunk of arrays of its own, copying each chunk before
 * pulling the next (so the input's chunks may be transient, see transient.ts). Its typed arrays
 * are borrowed from the scratch pool and listed in `borrowed`, for the caller to hand back once
 * nothing reads the chunk.
 */
export function collect(op: Operator, types: readonly DataType[], borrowed: ArrayBufferView[]): Chunk {
  const cols = types.map(() => new ColumnCollector());
  let n = 0;
  for (let c = op.next(); c !== null; c = op.next()) {
    for (let j = 0; j < cols.length; j++) cols[j]!.add(c.columns[j]!);
    n += c.length;
  }
  op.close();
  return { columns: cols.map((k, j) => k.finish(types[j]!, borrowed)), length: n };
}

export const typesOf = (plan: PhysicalPlan): DataType[] => plan.schema.map((c) => c.type);

/** Emits a large chunk in batch-size slices. */
export class Slicer implements Operator {
  private pos = 0;
  constructor(
    private readonly chunk: Chunk,
    private readonly size: number,
  ) {}
  next(): Chunk | null {
    if (this.pos >= this.chunk.length) return null;
    const end = Math.min(this.chunk.length, this.pos + this.size);
    const c = sliceChunk(this.chunk, this.pos, end);
    this.pos = end;
    return c;
  }
  close(): void {}
}

/** An operator whose output is computed on the first pull (blocking operators: sort, aggregate…). */
export abstract class Blocking implements Operator {
  private out: Operator | undefined;
  constructor(protected readonly rc: RunCtx) {}
  protected abstract compute(): Chunk;
  next(): Chunk | null {
    if (!this.out) this.out = new Slicer(this.compute(), this.rc.batchSize);
    return this.out.next();
  }
  close(): void {}
}
