// Streaming operators: filter, project, limit/offset, DISTINCT [ON], set operations.

import type { PDistinct, PFilter, PLimit, PProject, PSetOp } from '../../../compiler/physical/plan.ts';
import { evalScalar, layoutOf } from '../compile.ts';
import type { Evaluator, RunCtx } from '../context.ts';
import { fail } from '../errors.ts';
import { KeyTable } from '../keys.ts';
import { type Chunk, GatherSlot, gatherChunk, sliceChunk } from '../vector.ts';
import { type BuildFn, type Operator, type Selected, type SelectiveOperator, checkCancel, evaluator, selector } from './operator.ts';
import type { Selector } from '../fuse.ts';

export class FilterOp implements SelectiveOperator {
  private readonly pred: Selector;
  /** Reused output arrays when the output is transient (see transient.ts). */
  private readonly slots: GatherSlot[] | null;
  constructor(
    plan: PFilter,
    private readonly input: Operator,
    private readonly rc: RunCtx,
  ) {
    this.pred = selector(rc, plan, plan.predicate, layoutOf(plan.input.schema));
    this.slots = rc.transient.has(plan) ? plan.schema.map(() => new GatherSlot()) : null;
  }
  next(): Chunk | null {
    const s = this.nextSelected();
    return s === null || s.sel === null ? (s?.chunk ?? null) : gatherChunk(s.chunk, s.sel, s.n, this.slots);
  }
  nextSelected(): Selected | null {
    for (let c = this.input.next(); c !== null; c = this.input.next()) {
      checkCancel(this.rc);
      const { sel, n } = this.pred(c, this.rc);
      if (n === c.length) return { chunk: c, sel: null, n };
      if (n > 0) return { chunk: c, sel, n };
    }
    return null;
  }
  close(): void {
    this.input.close();
    for (const s of this.slots ?? []) s.release();
  }
}

export class ProjectOp implements Operator {
  private readonly items: Evaluator[];
  constructor(
    plan: PProject,
    private readonly input: Operator,
    private readonly rc: RunCtx,
  ) {
    const layout = layoutOf(plan.input.schema);
    this.items = plan.items.map((it) => evaluator(rc, plan, it.expr, layout));
  }
  next(): Chunk | null {
    const c = this.input.next();
    if (c === null) return null;
    return { columns: this.items.map((f) => f(c, this.rc)), length: c.length };
  }
  close(): void {
    this.input.close();
  }
}

/** Evaluates a LIMIT/OFFSET count: NULL means no limit; negative counts are errors (2201W/2201X). */
export function countOf(e: PLimit['limit'], rc: RunCtx, what: 'LIMIT' | 'OFFSET'): number | undefined {
  if (!e) return undefined;
  const v = evalScalar(e, rc, rc.fnEnv);
  if (v === null) return undefined;
  const n = Number(v);
  if (n < 0) fail(what === 'LIMIT' ? 'invalid_row_count' : 'invalid_offset_count', `${what} must not be negative`);
  return n;
}

export class LimitOp implements Operator {
  private skip = -1;
  private left = 0;
  constructor(
    private readonly plan: PLimit,
    private readonly input: Operator,
    private readonly rc: RunCtx,
  ) {}
  next(): Chunk | null {
    if (this.skip < 0) {
      this.skip = countOf(this.plan.offset, this.rc, 'OFFSET') ?? 0;
      this.left = countOf(this.plan.limit, this.rc, 'LIMIT') ?? Infinity;
    }
    while (this.left > 0) {
      const c = this.input.next();
      if (c === null) return null;
      let start = 0;
      if (this.skip > 0) {
        start = Math.min(this.skip, c.length);
        this.skip -= start;
      }
      const end = Math.min(c.length, start + this.left);
      if (end > start) {
        this.left -= end - start;
        return sliceChunk(c, start, end);
      }
    }
    return null;
  }
  close(): void {
    this.input.close();
  }
}

/** DISTINCT keeps the first row of each key in input order (DISTINCT ON relies on a sorted input). */
export class DistinctOp implements Operator {
  private readonly keys: KeyTable;
  private readonly on: Evaluator[] | undefined;
  constructor(
    plan: PDistinct,
    private readonly input: Operator,
    private readonly rc: RunCtx,
  ) {
    const layout = layoutOf(plan.input.schema);
    this.on = plan.on?.map((e) => evaluator(rc, plan, e, layout));
    this.keys = new KeyTable(this.on ? this.on.length : plan.schema.length);
  }
  next(): Chunk | null {
    for (let c = this.input.next(); c !== null; c = this.input.next()) {
      const kv = this.on ? this.on.map((f) => f(c, this.rc)) : c.columns;
      const before = this.keys.size;
      const ids = this.keys.ids(kv, c.length, true);
      const sel = new Uint32Array(c.length);
      let n = 0;
      let seen = before;
      for (let i = 0; i < c.length; i++) {
        if (ids[i]! >= seen) {
          sel[n++] = i;
          seen = ids[i]! + 1;
        }
      }
      if (n > 0) return n === c.length ? c : gatherChunk(c, sel, n);
    }
    return null;
  }
  close(): void {
    this.input.close();
  }
}

/** UNION/INTERSECT/EXCEPT with [ALL]; NULLs compare equal, as set operations require. */
export class SetOpOp implements Operator {
  private right: Operator | undefined;
  private left: Operator | undefined;
  private keys: KeyTable;
  private counts: number[] = [];
  private emitted: Uint8Array = new Uint8Array(0);
  private onRight = false;
  private built = false;
  constructor(
    private readonly plan: PSetOp,
    private readonly build: BuildFn,
    private readonly rc: RunCtx,
  ) {
    this.keys = new KeyTable(plan.schema.length);
  }
  private markEmitted(id: number): boolean {
    if (id >= this.emitted.length) {
      const e = new Uint8Array(Math.max(1024, id * 2 + 1));
      e.set(this.emitted);
      this.emitted = e;
    }
    if (this.emitted[id] === 1) return false;
    this.emitted[id] = 1;
    return true;
  }
  next(): Chunk | null {
    const p = this.plan;
    if (p.op === 'union') {
      this.left ??= this.build(p.left, this.rc);
      for (;;) {
        const src = this.onRight ? this.right! : this.left;
        const c = src.next();
        if (c === null) {
          if (this.onRight) return null;
          this.onRight = true;
          this.right = this.build(p.right, this.rc);
          continue;
        }
        if (p.all) return c;
        const ids = this.keys.ids(c.columns, c.length, true);
        const sel = new Uint32Array(c.length);
        let n = 0;
        for (let i = 0; i < c.length; i++) if (this.markEmitted(ids[i]!)) sel[n++] = i;
        if (n > 0) return gatherChunk(c, sel, n);
      }
    }
    if (!this.built) {
      this.built = true;
      const r = this.build(p.right, this.rc);
      for (let c = r.next(); c !== null; c = r.next()) {
        checkCancel(this.rc);
        const ids = this.keys.ids(c.columns, c.length, true);
        for (let i = 0; i < c.length; i++) this.counts[ids[i]!] = (this.counts[ids[i]!] ?? 0) + 1;
      }
      r.close();
      this.left = this.build(p.left, this.rc);
    }
    for (let c = this.left!.next(); c !== null; c = this.left!.next()) {
      const ids = this.keys.ids(c.columns, c.length, true);
      const sel = new Uint32Array(c.length);
      let n = 0;
      for (let i = 0; i < c.length; i++) {
        const id = ids[i]!;
        const inRight = (this.counts[id] ?? 0) > 0;
        let keep: boolean;
        if (p.op === 'intersect') {
          keep = inRight && (p.all ? true : this.markEmitted(id));
          if (keep && p.all) this.counts[id]!--;
        } else if (p.all) {
          keep = !inRight;
          if (inRight) this.counts[id]!--;
        } else keep = !inRight && this.markEmitted(id);
        if (keep) sel[n++] = i;
      }
      if (n > 0) return gatherChunk(c, sel, n);
    }
    return null;
  }
  close(): void {
    this.left?.close();
    this.right?.close();
  }
}
