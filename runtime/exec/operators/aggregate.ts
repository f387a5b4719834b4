// Hash and sort aggregation: groups get dense ids from a KeyTable; count/sum/avg/min/max over
// numeric inputs update typed per-group arrays a batch at a time, every other aggregate (and
// DISTINCT / ORDER BY aggregates) keeps row accumulators per group.

import { exprColumns } from '../../../compiler/ir/expr.ts';
import type { AggregateItem } from '../../../compiler/ir/plan.ts';
import type { HashAggregate, SortAggregate } from '../../../compiler/physical/plan.ts';
import type { DataType } from '../../../compiler/ir/types.ts';
import { type GroupAcc, type RowAcc, type RowAccFactory, groupAccumulator, rowAccumulator } from '../accumulators.ts';
import { layoutOf } from '../compile.ts';
import { compareValues } from '../compare.ts';
import type { Evaluator, RunCtx } from '../context.ts';
import { KeyTable } from '../keys.ts';
import { type Chunk, type Vec, anyNullAt, gatherColumns, makeVec, valueAt, vecFromValues } from '../vector.ts';
import { Blocking, type Operator, type Selected, type SelectiveOperator, checkCancel, evaluator, isSelective, markSelected } from './operator.ts';
import { isVolatile } from '../../../compiler/optimize/util.ts';
import { ExecError } from '../errors.ts';

const INT32: DataType = { kind: 'int32' };

interface AggState {
  readonly item: AggregateItem;
  readonly args: Evaluator[];
  readonly filter: Evaluator | undefined;
  readonly orderKeys: Evaluator[];
  readonly vector: GroupAcc | undefined;
  readonly factory: RowAccFactory;
  readonly rows: (RowAcc | OrderedAcc | undefined)[];
  /** DISTINCT: (group, args) keys already fed. */
  readonly seen: KeyTable | undefined;
}

/** Buffers (sort keys, args) for an aggregate with ORDER BY and feeds them sorted at the end. */
class OrderedAcc {
  private readonly buf: { keys: unknown[]; args: unknown[] }[] = [];
  constructor(
    private readonly inner: RowAcc,
    private readonly keys: AggregateItem['call']['orderBy'],
  ) {}
  add(args: readonly unknown[], keys: unknown[]): void {
    this.buf.push({ keys, args: [...args] });
  }
  result(): unknown {
    const ks = this.keys;
    this.buf.sort((a, b) => {
      for (let k = 0; k < ks.length; k++) {
        const key = ks[k]!;
        const x = a.keys[k];
        const y = b.keys[k];
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === key.nullsFirst ? -1 : 1;
        }
        const c = compareValues(x, y, key.expr.type);
        if (c !== 0) return key.descending ? -c : c;
      }
      return 0;
    });
    for (const r of this.buf) this.inner.add(r.args);
    return this.inner.result();
  }
}

/** One aggregate's inputs over a chunk. */
interface Evaluated {
  readonly args: Vec[];
  readonly filter: Vec | undefined;
  readonly keys: Vec[];
}

function evaluate(a: AggState, c: Chunk, rc: RunCtx): Evaluated {
  return { args: a.args.map((f) => f(c, rc)), filter: a.filter?.(c, rc), keys: a.orderKeys.map((f) => f(c, rc)) };
}

/** Hash aggregation (also the global aggregate of sort-aggregate): groups get ids from a KeyTable. */
export class AggregateOp extends Blocking {
  private readonly groups: Evaluator[];
  private readonly aggs: AggState[];
  /** The input as a selective operator, when its selections may be taken unfiltered. */
  private readonly selective: SelectiveOperator | undefined;
  /** The selection of the chunk last pulled unfiltered. */
  private pending: Selected | undefined;
  /** Input columns the group and aggregate expressions read: the only ones worth gathering. */
  private readonly reads: readonly number[];
  /** Per-batch buffers, reused: each batch's group ids and active rows are consumed before the next. */
  private idsBuf: Int32Array | null = null;
  private activeBuf: Uint8Array | null = null;
  constructor(
    private readonly plan: HashAggregate | SortAggregate,
    private readonly input: Operator,
    rc: RunCtx,
  ) {
    super(rc);
    const exprs = [...plan.groups.map((g) => g.expr), ...plan.aggregates.flatMap((a) => [...a.call.args, ...(a.call.filter ? [a.call.filter] : []), ...a.call.orderBy.map((k) => k.expr)])];
    const at = new Map(plan.input.schema.map((c, i) => [c.id, i]));
    this.reads = [...new Set(exprs.flatMap((e) => [...exprColumns(e)].flatMap((id) => (at.has(id) ? [at.get(id)!] : []))))];
    this.selective = isSelective(input) && !exprs.some(isVolatile) ? input : undefined;
    const layout = layoutOf(plan.input.schema);
    // A hash aggregate is done with a batch's values before it evaluates the next batch, so its
    // evaluators may reuse their output buffers (a sort aggregate compares across batches).
    const scratch = plan.kind === 'hash-aggregate';
    this.groups = plan.groups.map((g) => evaluator(rc, plan, g.expr, layout, scratch));
    this.aggs = plan.aggregates.map((item) => {
      const c = item.call;
      const argTypes = c.args.map((a) => a.type);
      const plain = !c.distinct && c.orderBy.length === 0;
      return {
        item,
        args: c.args.map((a) => evaluator(rc, plan, a, layout, scratch)),
        filter: c.filter ? evaluator(rc, plan, c.filter, layout, scratch) : undefined,
        orderKeys: c.orderBy.map((k) => evaluator(rc, plan, k.expr, layout, scratch)),
        vector: plain ? groupAccumulator(c.fn, argTypes, c.type) : undefined,
        factory: rowAccumulator(c.fn, argTypes, c.type),
        rows: [],
        seen: c.distinct ? new KeyTable(c.args.length + 1) : undefined,
      };
    });
  }

  /**
   * The next input chunk and the rows of it to aggregate (null: all). A selective input hands
   * out its chunks unfiltered when most rows pass and the expressions have no side effects:
   * evaluating them over the few rejected rows costs less than copying the rest.
   */
  private pull(): { c: Chunk; active: Uint8Array | null } | null {
    if (!this.selective) {
      const c = this.input.next();
      return c === null ? null : { c, active: null };
    }
    const s = this.selective.nextSelected();
    if (s === null) return null;
    if (s.sel === null) return { c: s.chunk, active: null };
    if (s.n * 2 < s.chunk.length) return { c: gatherColumns(s.chunk, this.reads, s.sel, s.n), active: null };
    const active = markSelected(this.activeBuf, s);
    this.activeBuf = active;
    this.pending = s;
    return { c: s.chunk, active };
  }

  protected compute(): Chunk {
    const keys = new KeyTable(this.groups.length);
    const groupValues: unknown[][] = this.plan.groups.map(() => []);
    const rc = this.rc;
    for (let p = this.pull(); p !== null; p = this.pull()) {
      checkCancel(rc);
      let { c, active } = p;
      let kv: Vec[];
      let ev: Evaluated[];
      try {
        kv = this.groups.map((f) => f(c, rc));
        ev = this.aggs.map((a) => evaluate(a, c, rc));
      } catch (e) {
        // A rejected row may fail where a selected one would not: redo with the selected rows only.
        if (active === null || !(e instanceof ExecError)) throw e;
        c = gatherColumns(c, this.reads, this.pending!.sel!, this.pending!.n);
        active = null;
        kv = this.groups.map((f) => f(c, rc));
        ev = this.aggs.map((a) => evaluate(a, c, rc));
      }
      const before = keys.size;
      if (this.idsBuf === null || this.idsBuf.length < c.length) this.idsBuf = new Int32Array(c.length);
      const ids = keys.ids(kv, c.length, true, false, active, this.idsBuf);
      if (keys.size > before) {
        for (let i = 0; i < c.length; i++) {
          const g = ids[i]!;
          if (g >= before && groupValues[0] !== undefined && groupValues[0].length === g) for (let j = 0; j < kv.length; j++) groupValues[j]!.push(valueAt(kv[j]!, i));
        }
      }
      this.feedEvaluated(ev, ids, keys.size);
    }
    this.input.close();
    const n = this.groups.length === 0 ? 1 : keys.size;
    // The groups' values were copied out as they appeared: the table's arrays can be reused.
    keys.dispose();
    // A global aggregate yields one row even over no input.
    const cols: Vec[] = this.plan.groups.map((g, j) => vecFromValues(g.column.type, groupValues[j]!));
    cols.push(...this.results(0, n));
    for (const a of this.aggs) a.vector?.release();
    return { columns: cols, length: n };
  }

  /** Feeds one input chunk whose rows belong to groups `ids` (of `groups` known so far). */
  feedAll(c: Chunk, ids: Int32Array, groups: number): void {
    this.feedEvaluated(
      this.aggs.map((a) => evaluate(a, c, this.rc)),
      ids,
      groups,
    );
  }

  private feedEvaluated(ev: readonly Evaluated[], ids: Int32Array, groups: number): void {
    this.aggs.forEach((a, j) => this.feed(a, ev[j]!, ids, groups));
  }

  /** Aggregate columns for groups [from, to); row accumulators of those groups are released. */
  results(from: number, to: number): Vec[] {
    return this.aggs.map((a) => {
      const direct = a.vector?.vector?.(from, to);
      if (direct !== undefined) return direct;
      const out = new Array<unknown>(to - from);
      for (let g = from; g < to; g++) {
        if (a.vector) out[g - from] = a.vector.result(g);
        else {
          const acc = a.rows[g] ?? this.newAcc(a);
          out[g - from] = acc.result();
          a.rows[g] = undefined;
        }
      }
      return vecFromValues(a.item.column.type, out);
    });
  }

  private newAcc(a: AggState): RowAcc | OrderedAcc {
    const inner = a.factory();
    return a.item.call.orderBy.length > 0 ? new OrderedAcc(inner, a.item.call.orderBy) : inner;
  }

  private feed(a: AggState, ev: Evaluated, groupIds: Int32Array, groups: number): void {
    let ids = groupIds;
    const { args, keys } = ev;
    if (ev.filter) {
      const f = ev.filter;
      const fd = f.data as Uint8Array;
      ids = new Int32Array(groupIds);
      for (let i = 0; i < ids.length; i++) if (fd[i] !== 1 || (f.valid !== null && f.valid[i] === 0)) ids[i] = -1;
    }
    if (a.seen) {
      // DISTINCT: feed only the first occurrence of (group, args) with non-null args.
      const gv = makeVec(INT32, 'i32', ids, null);
      const before = a.seen.size;
      const sid = a.seen.ids([gv, ...args], ids.length, true);
      let seen = before;
      const keep = new Int32Array(ids.length).fill(-1);
      for (let i = 0; i < ids.length; i++) {
        if (ids[i]! < 0) continue;
        if (sid[i]! >= seen) {
          seen = sid[i]! + 1;
          if (!anyNullAt(args, i)) keep[i] = ids[i]!;
        }
      }
      ids = keep;
    }
    if (a.vector) {
      a.vector.update(ids, args, groups);
      return;
    }
    const argv = new Array<unknown>(args.length);
    for (let i = 0; i < ids.length; i++) {
      const g = ids[i]!;
      if (g < 0) continue;
      let acc = a.rows[g];
      if (!acc) {
        acc = this.newAcc(a);
        a.rows[g] = acc;
      }
      for (let j = 0; j < args.length; j++) argv[j] = valueAt(args[j]!, i);
      if (acc instanceof OrderedAcc) acc.add(argv, keys.map((k) => valueAt(k, i)));
      else acc.add(argv);
    }
  }
}

/** Whether row i of key columns `a` equals row j of `b`, NULLs equal (grouping semantics). */
function sameKey(a: readonly Vec[], i: number, b: readonly Vec[], j: number): boolean {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    const xn = x.valid !== null && x.valid[i] === 0;
    const yn = y.valid !== null && y.valid[j] === 0;
    if (xn || yn) {
      if (xn !== yn) return false;
      continue;
    }
    if ((x.rep === 'i32' || x.rep === 'f64' || x.rep === 'bool') && x.rep === y.rep && x.scale === y.scale) {
      if ((x.data as Float64Array)[i] !== (y.data as Float64Array)[j]) return false;
    } else if (compareValues(valueAt(x, i), valueAt(y, j), x.type) !== 0) return false;
  }
  return true;
}

/**
 * Aggregation over input sorted on the group keys: groups are runs of equal keys (no hash table),
 * and each group is emitted as soon as the next one starts, so output streams with the input.
 */
export class SortAggregateOp implements Operator {
  private readonly inner: AggregateOp;
  private readonly groups: Evaluator[];
  private lastKeys: Vec[] | undefined;
  private lastRow = 0;
  /** Ids handed out so far; the last one may still grow. */
  private count = 0;
  private emitted = 0;
  private readonly groupValues: unknown[][];
  private done = false;
  constructor(
    private readonly plan: SortAggregate,
    private readonly input: Operator,
    private readonly rc: RunCtx,
  ) {
    this.inner = new AggregateOp(plan, input, rc);
    const layout = layoutOf(plan.input.schema);
    this.groups = plan.groups.map((g) => evaluator(rc, plan, g.expr, layout));
    this.groupValues = plan.groups.map(() => []);
  }
  next(): Chunk | null {
    if (this.groups.length === 0) return this.inner.next();
    while (!this.done) {
      const c = this.input.next();
      checkCancel(this.rc);
      if (c === null) {
        this.done = true;
        this.input.close();
        return this.emit(this.count);
      }
      const kv = this.groups.map((f) => f(c, this.rc));
      const ids = new Int32Array(c.length);
      for (let i = 0; i < c.length; i++) {
        const continues = i === 0 ? this.lastKeys !== undefined && sameKey(kv, 0, this.lastKeys, this.lastRow) : sameKey(kv, i, kv, i - 1);
        if (!continues) {
          this.count++;
          for (let j = 0; j < kv.length; j++) this.groupValues[j]!.push(valueAt(kv[j]!, i));
        }
        ids[i] = this.count - 1;
      }
      this.lastKeys = kv;
      this.lastRow = c.length - 1;
      this.inner.feedAll(c, ids, this.count);
      // Every group but the last is complete.
      const out = this.emit(this.count - 1);
      if (out !== null) return out;
    }
    return null;
  }
  private emit(upTo: number): Chunk | null {
    if (upTo <= this.emitted) return null;
    const from = this.emitted;
    this.emitted = upTo;
    const cols: Vec[] = this.plan.groups.map((g, j) => vecFromValues(g.column.type, this.groupValues[j]!.slice(from, upTo)));
    for (let j = 0; j < this.groupValues.length; j++) this.groupValues[j]!.fill(null, from, upTo);
    cols.push(...this.inner.results(from, upTo));
    return { columns: cols, length: upTo - from };
  }
  close(): void {
    this.input.close();
  }
}
