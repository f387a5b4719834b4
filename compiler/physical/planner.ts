// The physical planner: optimized logical plan → physical operators (join, aggregate and access algorithms) with estimates.

import { CompilerBug } from '../diagnostics/index.ts';
import { colRef, type ColumnId, type Expr, type Schema, type SortKey } from '../ir/expr.ts';
import type { Join, LogicalPlan } from '../ir/plan.ts';
import type { DataType } from '../ir/types.ts';
import { COST, CostModel, equiPair } from '../optimize/cost.ts';
import { conjoin, conjuncts, ids, mapExpr } from '../optimize/util.ts';
import { forEachNodeExpr } from '../ir/print.ts';
import type { Estimate, PhysicalPlan, PhysicalQuery } from './plan.ts';

/** Below this many row pairs a nested loop beats building a hash table. */
export const NESTED_LOOP_MAX_PAIRS = 64;

const { cpuRow: CPU_ROW, hashBuildRow: HASH_BUILD_ROW, hashProbeRow: HASH_PROBE_ROW, randomRow: RANDOM_ROW } = COST;

export interface PlanPhysicalOptions {
  /** The optimizer's cost model, so estimates are shared rather than recomputed. */
  readonly cost?: CostModel;
}

interface Planned {
  readonly plan: PhysicalPlan;
  /** Column ids the output is sorted on, ascending, in key order (empty when unordered). */
  readonly order: readonly ColumnId[];
}

const est = (rows: number, cost: number): Estimate => ({ rows: Math.max(1, Math.round(rows)), cost: Math.round(cost * 100) / 100 });

class Planner {
  readonly subplans: Record<number, PhysicalPlan> = {};

  constructor(private readonly cm: CostModel) {}

  /** Plans the subquery expressions a node holds into `subplans` (by subquery id). */
  private collectSubqueries(e: Expr): void {
    mapExpr(e, (x) => {
      if (x.kind === 'subquery' && this.subplans[x.id] === undefined) this.subplans[x.id] = this.exact(x.plan).plan;
      return x;
    });
  }

  /**
   * Plans `p` with its columns in exactly the logical order: for consumers that read by position
   * (the statement's result, set operations, INSERT sources, subquery values). Elsewhere columns
   * are found by id, so a join may emit its sides in whichever order it executes them.
   */
  exact(p: LogicalPlan): Planned {
    const out = this.plan(p);
    const s = out.plan.schema;
    if (s.length === p.schema.length && s.every((c, i) => c.id === p.schema[i]!.id)) return out;
    const rows = out.plan.est.rows;
    return {
      plan: { kind: 'project', input: out.plan, items: p.schema.map((c) => ({ column: c, expr: colRef(c) })), schema: p.schema, est: est(rows, out.plan.est.cost + rows * CPU_ROW) },
      order: out.order,
    };
  }

  plan(p: LogicalPlan): Planned {
    forEachNodeExpr(p, (e) => this.collectSubqueries(e));
    const rows = this.cm.rows(p);
    switch (p.kind) {
      case 'scan':
        return this.scan(p, undefined, rows);
      case 'filter': {
        if (p.input.kind === 'scan') {
          forEachNodeExpr(p.input, (e) => this.collectSubqueries(e));
          return this.scan(p.input, p.predicate, rows);
        }
        const input = this.plan(p.input);
        return { plan: { kind: 'filter', input: input.plan, predicate: p.predicate, schema: input.plan.schema, est: est(rows, input.plan.est.cost + input.plan.est.rows * CPU_ROW) }, order: input.order };
      }
      case 'project': {
        const input = this.plan(p.input);
        const passed = new Map<ColumnId, ColumnId>();
        for (const i of p.items) if (i.expr.kind === 'column') passed.set(i.expr.id, i.column.id);
        const order: ColumnId[] = [];
        for (const c of input.order) {
          const to = passed.get(c);
          if (to === undefined) break;
          order.push(to);
        }
        return { plan: { kind: 'project', input: input.plan, items: p.items, schema: p.schema, est: est(rows, input.plan.est.cost + input.plan.est.rows * CPU_ROW) }, order };
      }
      case 'join':
        return this.join(p, rows);
      case 'aggregate': {
        const input = this.plan(p.input);
        const groupCols = p.groups.map((g) => (g.expr.kind === 'column' ? g.expr.id : -1));
        const sorted = p.groups.length === 0 || (groupCols.length <= input.order.length && groupCols.every((c) => input.order.slice(0, groupCols.length).includes(c)));
        const inRows = input.plan.est.rows;
        if (sorted) {
          return {
            plan: { kind: 'sort-aggregate', input: input.plan, groups: p.groups, aggregates: p.aggregates, schema: p.schema, est: est(rows, input.plan.est.cost + inRows * CPU_ROW * (1 + p.aggregates.length)) },
            order: p.groups.map((g) => g.column.id),
          };
        }
        return {
          plan: { kind: 'hash-aggregate', input: input.plan, groups: p.groups, aggregates: p.aggregates, schema: p.schema, est: est(rows, input.plan.est.cost + inRows * (HASH_PROBE_ROW * 0.5 + CPU_ROW * p.aggregates.length) + rows * CPU_ROW) },
          order: [],
        };
      }
      case 'window': {
        const input = this.plan(p.input);
        const n = input.plan.est.rows;
        return { plan: { kind: 'window', input: input.plan, windows: p.windows, schema: [...input.plan.schema, ...p.windows.map((w) => w.column)], est: est(rows, input.plan.est.cost + n * Math.log2(2 + n) * CPU_ROW * 5) }, order: [] };
      }
      case 'sort': {
        const input = this.plan(p.input);
        const n = input.plan.est.rows;
        return { plan: { kind: 'sort', input: input.plan, keys: p.keys, schema: input.plan.schema, est: est(rows, input.plan.est.cost + n * Math.log2(2 + n) * CPU_ROW * 5) }, order: sortOrder(p.keys) };
      }
      case 'limit': {
        if (p.input.kind === 'sort' && p.limit) {
          const sorted = p.input;
          const input = this.plan(sorted.input);
          const n = input.plan.est.rows;
          return {
            plan: { kind: 'top-n', input: input.plan, keys: sorted.keys, limit: p.limit, ...(p.offset ? { offset: p.offset } : {}), schema: input.plan.schema, est: est(rows, input.plan.est.cost + n * Math.log2(2 + rows) * CPU_ROW * 2) },
            order: sortOrder(sorted.keys),
          };
        }
        const input = this.plan(p.input);
        const share = Math.min(1, rows / Math.max(1, input.plan.est.rows));
        return {
          plan: { kind: 'limit', input: input.plan, ...(p.limit ? { limit: p.limit } : {}), ...(p.offset ? { offset: p.offset } : {}), schema: input.plan.schema, est: est(rows, input.plan.est.cost * Math.max(share, 0.05)) },
          order: input.order,
        };
      }
      case 'distinct': {
        const input = this.plan(p.input);
        return { plan: { kind: 'distinct', input: input.plan, ...(p.on ? { on: p.on } : {}), schema: input.plan.schema, est: est(rows, input.plan.est.cost + input.plan.est.rows * HASH_PROBE_ROW * 0.5) }, order: [] };
      }
      case 'set-op': {
        const l = this.exact(p.left);
        const r = this.exact(p.right);
        return { plan: { kind: 'set-op', op: p.op, all: p.all, left: l.plan, right: r.plan, schema: p.schema, est: est(rows, l.plan.est.cost + r.plan.est.cost + (l.plan.est.rows + r.plan.est.rows) * (p.all && p.op === 'union' ? CPU_ROW : HASH_PROBE_ROW * 0.5)) }, order: [] };
      }
      case 'values':
        return { plan: { kind: 'values', rows: p.rows, schema: p.schema, est: est(rows, rows * CPU_ROW) }, order: [] };
      case 'table-function':
        return { plan: { kind: 'table-function', fn: p.fn, args: p.args, ordinality: p.ordinality, schema: p.schema, est: est(rows, rows * CPU_ROW) }, order: [] };
      case 'expand':
        return { plan: { kind: 'expand', edge: p.edge, direction: p.direction, start: p.start, minDepth: p.minDepth, maxDepth: p.maxDepth, ...(p.where ? { where: p.where } : {}), schema: p.schema, est: est(rows, rows * CPU_ROW) }, order: [] };
      case 'recursive-cte': {
        const a = this.exact(p.anchor);
        const r = this.exact(p.recursive);
        return { plan: { kind: 'recursive-cte', cteId: p.cteId, name: p.name, all: p.all, anchor: a.plan, recursive: r.plan, schema: p.schema, est: est(rows, a.plan.est.cost + r.plan.est.cost * 10) }, order: [] };
      }
      case 'gap-fill': {
        const input = this.plan(p.input);
        const n = input.plan.est.rows;
        const order = [...p.partition.map((c) => c.id), p.time.id];
        return {
          plan: { kind: 'gap-fill', input: input.plan, time: p.time, step: p.step, partition: p.partition, fills: p.fills, schema: p.schema, est: est(rows, input.plan.est.cost + n * Math.log2(2 + n) * CPU_ROW * 5 + rows * CPU_ROW) },
          order,
        };
      }
      case 'live': {
        const input = this.plan(p.input);
        return { plan: { kind: 'live', input: input.plan, table: p.table, diff: p.diff, schema: input.plan.schema, est: input.plan.est }, order: input.order };
      }
      case 'work-table':
        return { plan: { kind: 'work-table', cteId: p.cteId, name: p.name, schema: p.schema, est: est(rows, rows * CPU_ROW) }, order: [] };
      case 'insert': {
        const s = this.exact(p.source);
        return {
          plan: {
            kind: 'insert', table: p.table, targetOrdinals: p.targetOrdinals, defaults: p.defaults, source: s.plan, ...(p.onConflict ? { onConflict: p.onConflict } : {}),
            rowColumns: p.rowColumns, ...(p.returning ? { returning: p.returning } : {}), ...(p.constraints ? { constraints: p.constraints } : {}), schema: p.schema, est: est(rows, s.plan.est.cost + s.plan.est.rows * RANDOM_ROW),
          },
          order: [],
        };
      }
      case 'update': {
        const s = this.plan(p.input);
        return {
          plan: { kind: 'update', table: p.table, input: s.plan, rowColumns: p.rowColumns, rowId: p.rowId, assignments: p.assignments, ...(p.returning ? { returning: p.returning } : {}), ...(p.constraints ? { constraints: p.constraints } : {}), schema: p.schema, est: est(rows, s.plan.est.cost + s.plan.est.rows * RANDOM_ROW) },
          order: [],
        };
      }
      case 'delete': {
        const s = this.plan(p.input);
        return {
          plan: { kind: 'delete', table: p.table, input: s.plan, rowColumns: p.rowColumns, rowId: p.rowId, ...(p.returning ? { returning: p.returning } : {}), ...(p.constraints ? { constraints: p.constraints } : {}), schema: p.schema, est: est(rows, s.plan.est.cost + s.plan.est.rows * RANDOM_ROW) },
          order: [],
        };
      }
    }
  }

  /** A scan with an optional pushed-down filter: index scan when the optimizer chose an index access. */
  private scan(s: Extract<LogicalPlan, { kind: 'scan' }>, predicate: Expr | undefined, rows: number): Planned {
    const tableRows = s.table.stats?.rowCount ?? this.cm.rows(s);
    const filterPart = predicate ? { filter: predicate } : {};
    const idOf = (name: string): ColumnId | undefined => s.columns.find((c) => (s.table.columns[c.ordinal]?.name ?? c.name) === name)?.id;
    if (s.access.kind === 'index') {
      const matched = this.cm.rows(s);
      const cost = Math.log2(2 + tableRows) + matched * RANDOM_ROW + (predicate ? matched * CPU_ROW : 0);
      const rest = s.access.index.columns.slice(s.access.eq.length).map(idOf);
      const order: ColumnId[] = [];
      for (const id of rest) {
        if (id === undefined) break;
        order.push(id);
      }
      return {
        plan: {
          kind: 'index-scan', table: s.table, alias: s.alias, index: s.access.index, columns: s.columns, eq: s.access.eq,
          ...(s.access.range ? { range: s.access.range } : {}), ...filterPart, schema: s.schema, est: est(rows, cost),
        },
        order,
      };
    }
    const order: ColumnId[] = [];
    for (const name of s.table.primaryKey) {
      const id = idOf(name);
      if (id === undefined) break;
      order.push(id);
    }
    const cost = tableRows + (predicate ? tableRows * CPU_ROW * conjuncts(predicate).length : 0);
    return { plan: { kind: 'seq-scan', table: s.table, alias: s.alias, columns: s.columns, ...filterPart, schema: s.schema, est: est(rows, cost) }, order };
  }

  private join(j: Join, rows: number): Planned {
    let l = this.plan(j.left);
    let r = this.plan(j.right);
    let type = j.joinType;
    // A right join is a left join with the sides exchanged; so is an inner join whose right side is the bigger one.
    if (type === 'right' || (type === 'inner' && r.plan.est.rows > 2 * l.plan.est.rows)) {
      [l, r] = [r, l];
      if (type === 'right') type = 'left';
    }
    const L = ids(l.plan.schema);
    const R = ids(r.plan.schema);
    const leftKeys: Expr[] = [];
    const rightKeys: Expr[] = [];
    const residual: Expr[] = [];
    for (const e of conjuncts(j.condition)) {
      const pair = equiPair(e, L, R);
      if (pair && !exprHasSubquery(e)) {
        leftKeys.push(pair[0]);
        rightKeys.push(pair[1]);
      } else residual.push(e);
    }
    const schema: Schema = type === 'semi' || type === 'anti' ? l.plan.schema : [...l.plan.schema, ...r.plan.schema.map((c) => (type === 'left' || type === 'full' || type === 'single' ? { ...c, nullable: true } : c))];
    const lr = l.plan.est.rows;
    const rr = r.plan.est.rows;
    const base = l.plan.est.cost + r.plan.est.cost;
    const residualExpr = conjoin(residual);
    let out: Planned;
    // Estimates of scans are trustworthy; those of joins can be far too small, and a nested loop
    // chosen on an underestimate is quadratic, so only scan × scan equi-joins go by size.
    const scanned = (x: PhysicalPlan): boolean => x.kind === 'seq-scan' || x.kind === 'index-scan' || x.kind === 'values';
    if (leftKeys.length === 0 || (lr * rr <= NESTED_LOOP_MAX_PAIRS && scanned(l.plan) && scanned(r.plan))) {
      out = {
        plan: { kind: 'nested-loop-join', joinType: type, left: l.plan, right: r.plan, ...(j.condition ? { condition: j.condition } : {}), schema, est: est(rows, base + lr * rr * CPU_ROW + rows * CPU_ROW) },
        order: l.order,
      };
    } else if (
      type === 'inner' &&
      l.order[0] !== undefined &&
      r.order[0] !== undefined &&
      sameKey(leftKeys[0]!, l.order[0]) &&
      sameKey(rightKeys[0]!, r.order[0]) &&
      lr * HASH_BUILD_ROW + rr * HASH_PROBE_ROW <= rr * HASH_BUILD_ROW + lr * HASH_PROBE_ROW
    ) {
      // Both inputs already arrive in key order (scans in primary-key order): merge them when the
      // left is the smaller side. The merge holds its left input whole (a hash join streams it),
      // so with a big left input hashing the right costs less.
      out = {
        plan: { kind: 'merge-join', joinType: type, left: l.plan, right: r.plan, leftKeys: leftKeys.slice(0, 1), rightKeys: rightKeys.slice(0, 1), ...mergeResidual(leftKeys, rightKeys, residualExpr), schema, est: est(rows, base + lr * HASH_BUILD_ROW + rr * HASH_PROBE_ROW + rows * CPU_ROW) },
        order: l.order.slice(0, 1),
      };
    } else {
      // A key the build side holds unique (its scan's one-column primary key) finds at most one
      // build row by itself: hash on it alone and check the other pairs on that row. One integer
      // key takes the executor's direct, merge and single-column hash paths; several go through
      // per-row folding (TPC-H Q5: l_suppkey = s_suppkey AND c_nationkey = s_nationkey).
      const u = leftKeys.length > 1 ? rightKeys.findIndex((k) => isUniqueColumn(r.plan, k)) : -1;
      const hashKeys = u < 0 ? { leftKeys, rightKeys, residual: residualExpr } : singleKey(leftKeys, rightKeys, u, residualExpr);
      out = {
        plan: { kind: 'hash-join', joinType: type, left: l.plan, right: r.plan, leftKeys: hashKeys.leftKeys, rightKeys: hashKeys.rightKeys, ...(hashKeys.residual ? { residual: hashKeys.residual } : {}), schema, est: est(rows, base + rr * HASH_BUILD_ROW + lr * HASH_PROBE_ROW + rows * CPU_ROW) },
        order: [],
      };
    }
    return out;
  }
}

/** Whether `e` is the one-column primary key of the base table `p` scans (unique in its rows). */
function isUniqueColumn(p: PhysicalPlan, e: Expr): boolean {
  if ((p.kind !== 'seq-scan' && p.kind !== 'index-scan') || e.kind !== 'column' || p.table.primaryKey.length !== 1) return false;
  const c = p.columns.find((x) => x.id === e.id);
  return c !== undefined && p.table.columns.find((x) => x.ordinal === c.ordinal)?.name === p.table.primaryKey[0];
}

/** Key pair `i` alone; the other pairs become residual equalities. */
function singleKey(leftKeys: readonly Expr[], rightKeys: readonly Expr[], i: number, residual: Expr | undefined): { leftKeys: Expr[]; rightKeys: Expr[]; residual?: Expr } {
  const others = leftKeys.flatMap((k, j) => (j === i ? [] : [{ kind: 'call', fn: '=', args: [k, rightKeys[j]!], type: { kind: 'bool' }, nullable: k.nullable || rightKeys[j]!.nullable } as Expr]));
  const all = conjoin([...others, ...conjuncts(residual)]);
  return { leftKeys: [leftKeys[i]!], rightKeys: [rightKeys[i]!], ...(all ? { residual: all } : {}) };
}

/** Merge join compares on the first key; further key pairs become residual equalities. */
function mergeResidual(leftKeys: readonly Expr[], rightKeys: readonly Expr[], residual: Expr | undefined): { residual?: Expr } {
  const r = singleKey(leftKeys, rightKeys, 0, residual).residual;
  return r ? { residual: r } : {};
}

const sameKey = (e: Expr, id: ColumnId): boolean => e.kind === 'column' && e.id === id;

function sortOrder(keys: readonly SortKey[]): ColumnId[] {
  const out: ColumnId[] = [];
  for (const k of keys) {
    if (k.descending || k.expr.kind !== 'column') break;
    out.push(k.expr.id);
  }
  return out;
}

function exprHasSubquery(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery') found = true;
    return x;
  });
  return found;
}

/** Plans an optimized logical plan; remaining subquery expressions are planned into `subplans`. */
export function planPhysical(plan: LogicalPlan, params: readonly DataType[] = [], options: PlanPhysicalOptions = {}): PhysicalQuery {
  const planner = new Planner(options.cost ?? new CostModel());
  const root = planner.exact(plan).plan;
  if (root.schema.length !== plan.schema.length || root.schema.some((c, i) => c.id !== plan.schema[i]!.id)) {
    throw new CompilerBug('physical planning changed the output schema');
  }
  return { plan: root, subplans: planner.subplans, params };
}
