// Joins: hash join (build on the right), merge join over sorted inputs, nested-loop join; every
// join type (inner/left/right/full/cross/semi/anti/single). NULL keys never match.

import { type Expr, exprColumns } from '../../../compiler/ir/expr.ts';
import type { JoinType } from '../../../compiler/ir/plan.ts';
import type { HashJoin, MergeJoin, NestedLoopJoin, PhysicalPlan } from '../../../compiler/physical/plan.ts';
import { layoutOf } from '../compile.ts';
import { compareValues } from '../compare.ts';
import type { Evaluator, RunCtx } from '../context.ts';
import { fail } from '../errors.ts';
import { selectTrue } from '../kernels.ts';
import { KeyTable } from '../keys.ts';
import { type Chunk, GatherSlot, type Vec, UNREAD, anyNullAt, gather, nullVec, valueAt } from '../vector.ts';
import { giveBack, scratchInt32 } from '../scratch.ts';
import { type BuildFn, type Operator, type Selected, Slicer, checkCancel, collect, evaluator, isSelective, markSelected, materialize, typesOf } from './operator.ts';

type JoinPlan = HashJoin | MergeJoin | NestedLoopJoin;

/** Growable pair buffer (left row, right row) without per-pair objects. */
class Pairs {
  li = new Int32Array(1024);
  ri = new Int32Array(1024);
  n = 0;
  push(l: number, r: number): void {
    if (this.n === this.li.length) {
      const a = new Int32Array(this.n * 2);
      a.set(this.li);
      this.li = a;
      const b = new Int32Array(this.n * 2);
      b.set(this.ri);
      this.ri = b;
    }
    this.li[this.n] = l;
    this.ri[this.n] = r;
    this.n++;
  }
  clear(): void {
    this.n = 0;
  }
}

const PAIR_BLOCK = 65536;

/**
 * What all join algorithms share: residual checks over candidate pairs, the join type's output
 * rules, and right-side match tracking for RIGHT/FULL joins.
 */
class JoinOutput {
  readonly residual: Evaluator | undefined;
  rightMatched: Uint8Array = new Uint8Array(0);
  readonly type: JoinType;

  /** Output columns (left, then right) some consumer reads; null: all of them. */
  private readonly kept: Uint8Array | null;

  /** Reused output arrays per output column when the output is transient (see transient.ts). */
  private readonly slots: GatherSlot[] | null;

  constructor(
    readonly plan: JoinPlan,
    residual: Expr | undefined,
    private readonly rc: RunCtx,
  ) {
    this.kept = rc.joinNeeds.get(plan) ?? null;
    this.slots = rc.transient.has(plan) ? Array.from({ length: plan.left.schema.length + plan.right.schema.length }, () => new GatherSlot()) : null;
    this.type = plan.joinType;
    const layout = layoutOf([...plan.left.schema, ...plan.right.schema]);
    this.residual = residual ? evaluator(rc, plan, residual, layout) : undefined;
    this.residualReads = residual ? [...exprColumns(residual)].flatMap((id) => (layout.has(id) ? [layout.get(id)!] : [])) : [];
  }

  /** The combined (left, right) columns the residual reads: the only ones its candidates need. */
  private readonly residualReads: readonly number[];

  /** Keeps the candidate pairs whose residual is true. */
  check(left: Chunk, right: Chunk, pairs: Pairs, from = 0): void {
    if (!this.residual || pairs.n === from) return;
    const m = pairs.n - from;
    const li = pairs.li.subarray(from, pairs.n);
    const ri = pairs.ri.subarray(from, pairs.n);
    // Only the residual's columns are gathered, each by its side's row indexes.
    const L = left.columns.length;
    const columns = new Array<Vec>(L + right.columns.length).fill(UNREAD);
    for (const j of this.residualReads) columns[j] = j < L ? gather(left.columns[j]!, li, m, true) : gather(right.columns[j - L]!, ri, m, true);
    const combined: Chunk = { columns, length: m };
    const { sel, n } = selectTrue(this.residual(combined, this.rc));
    for (let k = 0; k < n; k++) {
      pairs.li[from + k] = li[sel[k]!]!;
      pairs.ri[from + k] = ri[sel[k]!]!;
    }
    pairs.n = from + n;
  }

  /** Output rows of one left chunk given its matching pairs (left indices ascending). */
  emit(left: Chunk, right: Chunk, pairs: Pairs): Chunk | null {
    const t = this.type;
    const n = left.length;
    if (t === 'right' || t === 'full') {
      if (this.rightMatched.length < right.length) this.rightMatched = new Uint8Array(right.length);
      for (let k = 0; k < pairs.n; k++) this.rightMatched[pairs.ri[k]!] = 1;
    }
    if (t === 'semi' || t === 'anti') {
      const hit = new Uint8Array(n);
      for (let k = 0; k < pairs.n; k++) hit[pairs.li[k]!] = 1;
      const sel = new Int32Array(n);
      let m = 0;
      for (let i = 0; i < n; i++) if ((hit[i] === 1) === (t === 'semi')) sel[m++] = i;
      if (m === 0) return null;
      return { columns: left.columns.map((v, j) => this.take(v, j, sel, m, true, true)), length: m };
    }
    let li = pairs.li;
    let ri = pairs.ri;
    let m = pairs.n;
    if (t === 'left' || t === 'full' || t === 'single') {
      const count = new Uint32Array(n);
      for (let k = 0; k < m; k++) count[pairs.li[k]!]!++;
      if (t === 'single') for (let i = 0; i < n; i++) if (count[i]! > 1) fail('cardinality_violation', 'more than one row returned by a subquery used as an expression');
      let unmatched = 0;
      for (let i = 0; i < n; i++) if (count[i] === 0) unmatched++;
      if (unmatched > 0) {
        // Keep left order: each left row's matches, or one row with NULLs on the right.
        const total = m + unmatched;
        const l2 = new Int32Array(total);
        const r2 = new Int32Array(total);
        let k = 0;
        let o = 0;
        for (let i = 0; i < n; i++) {
          if (count[i] === 0) {
            l2[o] = i;
            r2[o++] = -1;
          } else {
            while (k < m && pairs.li[k]! < i) k++;
            while (k < m && pairs.li[k] === i) {
              l2[o] = i;
              r2[o++] = pairs.ri[k++]!;
            }
          }
        }
        li = l2;
        ri = r2;
        m = total;
      }
    }
    if (m === 0) return null;
    const L = left.columns.length;
    // Left rows always exist; right rows are missing (-1) only where unmatched left rows were padded.
    const padded = li !== pairs.li;
    return { columns: [...left.columns.map((v, j) => this.take(v, j, li, m, true, true)), ...right.columns.map((v, j) => this.take(v, L + j, ri, m, !padded, true))], length: m };
  }

  /**
   * Output column `j` (input vector `v`) at rows `idx`, or UNREAD when no consumer reads it. With
   * `reuse`, in the column's slot when the output is transient (each emit overwrites the last).
   */
  private take(v: Vec, j: number, idx: Int32Array, n: number, nonNegative = false, reuse = false): Vec {
    if (this.kept !== null && this.kept[j] !== 1) return UNREAD;
    return gather(v, idx, n, nonNegative, reuse && this.slots !== null ? this.slots[j]! : null);
  }

  /** Hands the reused output arrays back (the join closes). */
  release(): void {
    for (const s of this.slots ?? []) s.release();
  }

  /** RIGHT/FULL: right rows no left row matched, with NULLs on the left. */
  unmatchedRight(right: Chunk, leftPlan: PhysicalPlan): Chunk | null {
    if (this.type !== 'right' && this.type !== 'full') return null;
    const sel = new Int32Array(right.length);
    let m = 0;
    for (let i = 0; i < right.length; i++) if (this.rightMatched[i] !== 1) sel[m++] = i;
    if (m === 0) return null;
    const L = leftPlan.schema.length;
    return { columns: [...leftPlan.schema.map((c) => nullVec(c.type, m)), ...right.columns.map((v, j) => this.take(v, L + j, sel, m))], length: m };
  }
}

/** Shared driver: stream left chunks through `match`, then emit unmatched right rows. */
abstract class JoinOp implements Operator {
  protected right: Chunk | undefined;
  protected left: Operator | undefined;
  protected readonly out: JoinOutput;
  private tail: Operator | undefined;
  private finished = false;
  private readonly pairs = new Pairs();

  constructor(
    protected readonly plan: JoinPlan,
    protected readonly build: BuildFn,
    protected readonly rc: RunCtx,
    residual: Expr | undefined,
  ) {
    this.out = new JoinOutput(plan, residual, rc);
  }

  protected abstract prepare(right: Chunk): void;
  /** Hands back what `prepare` borrowed (the operator closes). */
  protected release(): void {}
  protected leftSource(): Operator {
    return this.build(this.plan.left, this.rc);
  }
  /** Finds the pairs of `left` rows (only rows `sel[0..n)`, ascending, when `sel` is given) and right rows. */
  protected abstract match(left: Chunk, right: Chunk, pairs: Pairs, sel: Uint32Array | null, n: number): void;
  /** Whether `match` may be given a whole chunk with its selection (see `pullLeft`). */
  protected takesSelection(): boolean {
    return false;
  }
  /** Whether the build side is collected into scratch arrays (see `collect`; its input may be transient). */
  protected scratchBuild(): boolean {
    return false;
  }
  /** Scratch arrays the collected build side occupies. */
  protected readonly borrowed: ArrayBufferView[] = [];

  /**
   * The next left chunk. When the left input can hand out chunks with a selection and every
   * output row comes from a matched pair (inner and right joins), the chunk comes unfiltered with
   * its selection: only matched rows are ever copied.
   */
  private pullLeft(): Selected | null {
    const left = this.left!;
    if (!this.takesSelection() || !isSelective(left) || (this.plan.joinType !== 'inner' && this.plan.joinType !== 'right')) {
      const c = left.next();
      return c === null ? null : { chunk: c, sel: null, n: c.length };
    }
    return left.nextSelected();
  }

  next(): Chunk | null {
    if (this.tail) return this.tail.next();
    if (this.finished) return null;
    if (!this.right) {
      const build = this.build(this.plan.right, this.rc);
      this.right = this.scratchBuild() ? collect(build, typesOf(this.plan.right), this.borrowed) : materialize(build, typesOf(this.plan.right));
      this.prepare(this.right);
      this.left = this.leftSource();
    }
    for (let p = this.pullLeft(); p !== null; p = this.pullLeft()) {
      const c = p.chunk;
      checkCancel(this.rc);
      this.pairs.clear();
      this.match(c, this.right, this.pairs, p.sel, p.n);
      const o = this.out.emit(c, this.right, this.pairs);
      if (o !== null) return o;
    }
    this.finished = true;
    const rest = this.out.unmatchedRight(this.right, this.plan.left);
    if (rest === null) return null;
    this.tail = new Slicer(rest, this.rc.batchSize);
    return this.tail.next();
  }
  close(): void {
    this.left?.close();
    this.release();
    this.out.release();
    for (const a of this.borrowed) giveBack(a);
    this.borrowed.length = 0;
  }
}

export class HashJoinOp extends JoinOp {
  private keys: KeyTable | undefined;
  /** Per key id its first build row, and per row the next with the same key; null when id = row. */
  private head: Int32Array | null = null;
  private chain = new Int32Array(0);
  /** The active-row bytes of the left chunk being matched, reused from batch to batch. */
  private activeBuf: Uint8Array | null = null;
  /** The probe's key ids, reused from batch to batch (consumed within `match`). */
  private idsBuf: Int32Array | null = null;
  private readonly leftKeys: Evaluator[];
  private readonly rightKeys: Evaluator[];

  constructor(plan: HashJoin, build: BuildFn, rc: RunCtx) {
    super(plan, build, rc, plan.residual);
    this.leftKeys = plan.leftKeys.map((e) => evaluator(rc, plan, e, layoutOf(plan.left.schema)));
    this.rightKeys = plan.rightKeys.map((e) => evaluator(rc, plan, e, layoutOf(plan.right.schema)));
  }
  protected prepare(right: Chunk): void {
    const keys = new KeyTable(this.rightKeys.length, right.length);
    const kv = this.rightKeys.map((f) => f(right, this.rc));
    const into = scratchInt32(right.length);
    const ids = (kv.length === 1 ? keys.buildAscending(kv[0]!, right.length) : null) ?? keys.ids(kv, right.length, true, true, null, into);
    this.keys = keys;
    // Every build row with a key of its own, in row order (a primary-key side, as in most joins):
    // a key's id is its row, and no chains are needed.
    if (keys.size === right.length && isRowOrder(ids, right.length)) {
      this.head = null;
    } else {
      const head = (this.head = scratchInt32(keys.size, -1));
      const chain = (this.chain = scratchInt32(right.length, -1));
      for (let i = right.length - 1; i >= 0; i--) {
        const id = ids[i]!;
        if (id < 0) continue;
        chain[i] = head[id]!;
        head[id] = i;
      }
    }
    giveBack(ids);
    giveBack(into);
  }
  protected override release(): void {
    this.keys?.dispose();
    giveBack(this.head);
    giveBack(this.chain);
    giveBack(this.idsBuf);
    this.head = null;
    this.chain = new Int32Array(0);
    this.idsBuf = null;
  }
  protected override scratchBuild(): boolean {
    return true;
  }
  protected override takesSelection(): boolean {
    // Plain column keys read rejected rows harmlessly; computed keys could fail on them.
    return (this.plan as HashJoin).leftKeys.every((e) => e.kind === 'column');
  }
  protected match(left: Chunk, right: Chunk, pairs: Pairs, sel: Uint32Array | null, n: number): void {
    if (this.idsBuf === null || this.idsBuf.length < left.length) {
      giveBack(this.idsBuf);
      this.idsBuf = scratchInt32(left.length);
    }
    const kv = this.leftKeys.map((f) => f(left, this.rc));
    // The selected rows alone when the table can answer them so (then ids[k] is row sel[k]'s);
    // else every row, the rejected ones masked.
    let ids = sel === null ? null : this.keys!.selectedIds(kv, sel, n, this.idsBuf);
    const compact = ids !== null;
    if (ids === null) {
      const active = sel === null ? null : (this.activeBuf = markSelected(this.activeBuf, { chunk: left, sel, n }));
      ids = this.keys!.ids(kv, left.length, false, true, active, this.idsBuf);
    }
    const head = this.head;
    const chain = this.chain;
    let checked = 0;
    const m = compact ? n : left.length;
    for (let k = 0; k < m; k++) {
      const id = ids[k]!;
      if (id < 0) continue;
      const i = compact ? sel![k]! : k;
      if (head === null) pairs.push(i, id);
      else for (let r = head[id]!; r >= 0; r = chain[r]!) pairs.push(i, r);
      if (pairs.n - checked >= PAIR_BLOCK) {
        this.out.check(left, right, pairs, checked);
        checked = pairs.n;
      }
    }
    this.out.check(left, right, pairs, checked);
  }
}

/** Whether `ids[i] === i` for every row: each build row has a key of its own, ids in row order. */
function isRowOrder(ids: Int32Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (ids[i] !== i) return false;
  return true;
}

export class NestedLoopJoinOp extends JoinOp {
  constructor(plan: NestedLoopJoin, build: BuildFn, rc: RunCtx) {
    super(plan, build, rc, plan.condition);
  }
  protected prepare(): void {}
  protected match(left: Chunk, right: Chunk, pairs: Pairs): void {
    let checked = 0;
    for (let i = 0; i < left.length; i++) {
      for (let r = 0; r < right.length; r++) pairs.push(i, r);
      if (pairs.n - checked >= PAIR_BLOCK) {
        this.out.check(left, right, pairs, checked);
        checked = pairs.n;
      }
    }
    this.out.check(left, right, pairs, checked);
  }
}

/** Compares row i of key vector a with row j of key vector b (both non-null). */
function cmpAcross(a: Vec, i: number, b: Vec, j: number): number {
  if ((a.rep === 'i32' || a.rep === 'f64') && (b.rep === 'i32' || b.rep === 'f64') && a.scale === b.scale) {
    const x = (a.data as Float64Array)[i]!;
    const y = (b.data as Float64Array)[j]!;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareValues(valueAt(a, i), valueAt(b, j), a.type);
}

/** Merge join over inputs sorted ascending on their keys: equal runs pair up, NULL keys never match. */
export class MergeJoinOp extends JoinOp {
  private readonly leftKeys: Evaluator[];
  private readonly rightKeys: Evaluator[];
  private rk: Vec[] = [];
  private leftAll: Chunk | undefined;
  constructor(plan: MergeJoin, build: BuildFn, rc: RunCtx) {
    super(plan, build, rc, plan.residual);
    this.leftKeys = plan.leftKeys.map((e) => evaluator(rc, plan, e, layoutOf(plan.left.schema)));
    this.rightKeys = plan.rightKeys.map((e) => evaluator(rc, plan, e, layoutOf(plan.right.schema)));
  }
  protected prepare(right: Chunk): void {
    this.rk = this.rightKeys.map((f) => f(right, this.rc));
    // The whole left input is merged in one pass (pairs index into it).
    this.leftAll = materialize(this.build(this.plan.left, this.rc), typesOf(this.plan.left));
  }
  protected override leftSource(): Operator {
    const once = this.leftAll!;
    let given = false;
    return {
      next: () => {
        if (given || once.length === 0) return null;
        given = true;
        return once;
      },
      close: () => {},
    };
  }
  protected match(left: Chunk, right: Chunk, pairs: Pairs): void {
    const lk = this.leftKeys.map((f) => f(left, this.rc));
    const rk = this.rk;
    const cmp = (i: number, j: number): number => {
      for (let k = 0; k < lk.length; k++) {
        const c = cmpAcross(lk[k]!, i, rk[k]!, j);
        if (c !== 0) return c;
      }
      return 0;
    };
    let i = 0;
    let j = 0;
    let checked = 0;
    while (i < left.length && j < right.length) {
      if (anyNullAt(lk, i)) {
        i++;
        continue;
      }
      if (anyNullAt(rk, j)) {
        j++;
        continue;
      }
      const c = cmp(i, j);
      if (c < 0) i++;
      else if (c > 0) j++;
      else {
        let jEnd = j + 1;
        while (jEnd < right.length && !anyNullAt(rk, jEnd) && cmp(i, jEnd) === 0) jEnd++;
        let iEnd = i;
        while (iEnd < left.length && !anyNullAt(lk, iEnd) && cmp(iEnd, j) === 0) {
          for (let r = j; r < jEnd; r++) pairs.push(iEnd, r);
          iEnd++;
        }
        if (pairs.n - checked >= PAIR_BLOCK) {
          this.out.check(left, right, pairs, checked);
          checked = pairs.n;
        }
        i = iEnd;
        j = jEnd;
      }
    }
    this.out.check(left, right, pairs, checked);
  }
}
