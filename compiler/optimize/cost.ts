// The cost model: cardinality estimates from catalog statistics, and the cost units every operator's cost is counted in.

import type { ColumnStats, TableInfo } from '../catalog/index.ts';
import type { ColumnId, Expr } from '../ir/expr.ts';
import { exprColumns } from '../ir/expr.ts';
import type { LogicalPlan } from '../ir/plan.ts';
import { conjuncts, ids } from './util.ts';

/** Rows assumed for a table without statistics (PostgreSQL assumes a small table likewise). */
export const DEFAULT_ROWS = 1000;
/** Selectivity of `col = value` when nothing is known about the column. */
export const DEFAULT_EQ_SEL = 0.005;
/** Selectivity of a range test (`<`, `>`) without bounds to interpolate. */
export const DEFAULT_RANGE_SEL = 1 / 3;
/** Selectivity of a predicate the model cannot read at all. */
export const DEFAULT_SEL = 0.25;
/** Distinct count assumed for an expression with no column statistics. */
export const DEFAULT_NDV = 200;

/**
 * Abstract cost units shared by every operator's cost formula (the physical planner applies them
 * per algorithm): reading a stored row sequentially costs 1.
 */
export const COST = {
  /** Evaluating an expression or passing a row through an operator. */
  cpuRow: 0.01,
  /** Inserting a row into a hash table. */
  hashBuildRow: 1.5,
  /** Probing a hash table with a row. */
  hashProbeRow: 1,
  /** Fetching a row by key (index lookups, writes): a random access. */
  randomRow: 2,
} as const;

/** What the model knows about a column at its source. */
export interface ColumnEstimate {
  readonly stats?: ColumnStats;
  /** Rows of the table the column came from (the ndv cap before any filter). */
  readonly tableRows: number;
  /** The stored table and column it reads, for key-based join estimates. */
  readonly table?: TableInfo;
  readonly columnName?: string;
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const FLIP: Record<string, string> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A comparable scalar from a literal (dates/timestamps as numbers, decimals parsed), or undefined. */
export function literalNumber(e: Expr): number | string | undefined {
  if (e.kind === 'cast') return literalNumber(e.expr);
  if (e.kind !== 'literal' || e.value === null) return undefined;
  switch (typeof e.value) {
    case 'number':
      return e.value;
    case 'bigint':
      return Number(e.value);
    case 'string':
      return e.type.kind === 'decimal' ? Number(e.value) : e.value;
    default:
      return undefined;
  }
}

/**
 * Estimates the rows of logical plans (cardinality). Column statistics are found by id: scans register
 * their columns' catalog stats and projections/groupings forward them, so an estimate made
 * anywhere above a scan sees its source's distinct counts, bounds and histograms.
 */
export class CostModel {
  private readonly rowMemo = new WeakMap<LogicalPlan, number>();
  private readonly columns = new Map<ColumnId, ColumnEstimate>();

  /** Source statistics of a column, if some scan or pass-through defined it. */
  column(id: ColumnId): ColumnEstimate | undefined {
    return this.columns.get(id);
  }

  /** Distinct values of an expression within a relation of `rows` rows. */
  ndv(e: Expr, rows: number): number {
    const base = e.kind === 'column' ? this.columns.get(e.id) : e.kind === 'cast' && e.expr.kind === 'column' ? this.columns.get(e.expr.id) : undefined;
    let n: number;
    if (base?.stats) {
      const d = base.stats.distinctCount;
      // Negative distinct counts mean a fraction of the rows (PostgreSQL's convention).
      n = d < 0 ? -d * base.tableRows : d;
    } else if (base && isUniqueKey(base)) n = base.tableRows;
    else n = e.kind === 'literal' || e.kind === 'param' ? 1 : DEFAULT_NDV;
    return Math.max(1, Math.min(n, rows));
  }

  /** Estimated output rows of a node (at least 1). */
  rows(p: LogicalPlan): number {
    const memo = this.rowMemo.get(p);
    if (memo !== undefined) return memo;
    const r = Math.max(1, this.computeRows(p));
    this.rowMemo.set(p, r);
    return r;
  }

  private computeRows(p: LogicalPlan): number {
    switch (p.kind) {
      case 'scan': {
        const total = p.table.stats?.rowCount ?? DEFAULT_ROWS;
        for (const c of p.columns) {
          const columnName = p.table.columns[c.ordinal]?.name ?? c.name;
          this.columns.set(c.id, { stats: p.table.stats?.columns[columnName], tableRows: total, table: p.table, columnName });
        }
        const access = p.access;
        if (access.kind === 'full') return total;
        const colNamed = (name: string | undefined): ColumnId | undefined => p.columns.find((c) => (p.table.columns[c.ordinal]?.name ?? c.name) === name)?.id;
        if (access.index.unique && access.eq.length === access.index.columns.length) return 1;
        let sel = 1;
        access.eq.forEach((v, i) => {
          const col = colNamed(access.index.columns[i]);
          sel *= col !== undefined ? this.eqSel(col, v, total) : DEFAULT_EQ_SEL;
        });
        if (access.range) {
          const col = colNamed(access.index.columns[access.eq.length]);
          const lo = access.range.low ? literalNumber(access.range.low.expr) : undefined;
          const hi = access.range.high ? literalNumber(access.range.high.expr) : undefined;
          sel *= col !== undefined ? this.rangeSel(col, lo, hi, access.range.low !== undefined, access.range.high !== undefined) : DEFAULT_RANGE_SEL;
        }
        return total * sel;
      }
      case 'values':
        return p.rows.length;
      case 'expand':
        // Fan-out grows with depth; without edge statistics assume a handful of records per hop.
        return Math.min(DEFAULT_ROWS, 10 ** Math.min(p.maxDepth, 3));
      case 'table-function': {
        if (p.fn === 'generate_series') {
          const [a, b, s] = p.args.map(literalNumber);
          if (typeof a === 'number' && typeof b === 'number') return Math.floor((b - a) / (typeof s === 'number' && s !== 0 ? s : 1)) + 1;
        }
        return DEFAULT_ROWS;
      }
      case 'filter':
        return this.rows(p.input) * this.selectivity(p.predicate, p.input);
      case 'project': {
        const r = this.rows(p.input);
        for (const i of p.items) {
          if (i.expr.kind !== 'column' || i.expr.id === i.column.id) continue;
          const src = this.columns.get(i.expr.id);
          if (src) this.columns.set(i.column.id, src);
        }
        return r;
      }
      case 'join':
        return this.joinRows(p);
      case 'aggregate': {
        const input = this.rows(p.input);
        for (const g of p.groups) {
          if (g.expr.kind !== 'column' || g.expr.id === g.column.id) continue;
          const src = this.columns.get(g.expr.id);
          if (src) this.columns.set(g.column.id, src);
        }
        if (p.groups.length === 0) return 1;
        return this.distinctRows(p.groups.map((g) => g.expr), input);
      }
      case 'window':
      case 'sort':
        return this.rows(p.input);
      case 'limit': {
        const input = this.rows(p.input);
        const n = p.limit ? literalNumber(p.limit) : undefined;
        const off = p.offset ? literalNumber(p.offset) : 0;
        const after = Math.max(0, input - (typeof off === 'number' ? off : 0));
        if (!p.limit) return after;
        return typeof n === 'number' ? Math.min(after, n) : Math.min(after, Math.max(1, input * 0.1));
      }
      case 'distinct': {
        const input = this.rows(p.input);
        const keys: Expr[] = p.on ? [...p.on] : p.input.schema.map((c) => ({ kind: 'column', id: c.id, name: c.name, type: c.type, nullable: c.nullable }));
        return this.distinctRows(keys, input);
      }
      case 'set-op': {
        const l = this.rows(p.left);
        const r = this.rows(p.right);
        p.schema.forEach((c, i) => {
          const src = this.columns.get(p.left.schema[i]!.id);
          if (src) this.columns.set(c.id, src);
        });
        switch (p.op) {
          case 'union':
            return p.all ? l + r : Math.max(l, r) + 0.5 * Math.min(l, r);
          case 'intersect':
            return Math.min(l, r) * 0.5;
          case 'except':
            return l * 0.5;
        }
      }
      // Without knowing the recursion depth, assume ten rounds the size of the anchor.
      case 'recursive-cte':
        return this.rows(p.anchor) * 10;
      case 'work-table':
        return 100;
      case 'insert':
        return this.rows(p.source);
      case 'update':
      case 'delete':
      case 'live':
        return this.rows(p.input);
      // Filling adds the missing buckets: guess that one in two was missing.
      case 'gap-fill':
        return this.rows(p.input) * 2;
    }
  }

  /** Rows of a GROUP BY / DISTINCT: product of the keys' distinct counts, capped by the input. */
  distinctRows(keys: readonly Expr[], input: number): number {
    let n = 1;
    for (const k of keys) n *= this.ndv(k, input);
    return Math.min(n, input);
  }

  private joinRows(p: Extract<LogicalPlan, { kind: 'join' }>): number {
    const l = this.rows(p.left);
    const r = this.rows(p.right);
    const leftIds = ids(p.left.schema);
    const rightIds = ids(p.right.schema);
    const preds = conjuncts(p.condition);
    switch (p.joinType) {
      case 'semi':
      case 'anti': {
        const frac = this.semiFraction(preds, leftIds, rightIds, l, r);
        return p.joinType === 'semi' ? l * frac : l * Math.max(0.05, 1 - frac);
      }
      default:
        break;
    }
    const inner = l * r * this.joinSelectivity(preds, leftIds, rightIds, l, r);
    switch (p.joinType) {
      case 'left':
      case 'single':
        return Math.max(inner, l);
      case 'right':
        return Math.max(inner, r);
      case 'full':
        return Math.max(inner, l, r);
      default:
        return inner;
    }
  }

  /** Fraction of left rows with at least one match: for `a = b`, the share of a's values that occur among b's. */
  private semiFraction(preds: readonly Expr[], leftIds: ReadonlySet<ColumnId>, rightIds: ReadonlySet<ColumnId>, l: number, r: number): number {
    let frac = 1;
    let equi = false;
    for (const e of preds) {
      const pair = equiPair(e, leftIds, rightIds);
      if (pair) {
        equi = true;
        frac *= Math.min(1, this.ndv(pair[1], r) / this.ndv(pair[0], l));
      } else if (!subsetOfIds(e, rightIds)) frac *= 0.9;
    }
    return equi ? frac : 0.5;
  }

  /** Selectivity of join conjuncts over the cross product: 1/max(ndv) for each equality, defaults otherwise. */
  joinSelectivity(preds: readonly Expr[], leftIds: ReadonlySet<ColumnId>, rightIds: ReadonlySet<ColumnId>, l: number, r: number): number {
    let sel = 1;
    const leftKeys: Expr[] = [];
    const rightKeys: Expr[] = [];
    for (const e of preds) {
      const pair = equiPair(e, leftIds, rightIds);
      if (pair) {
        sel *= 1 / Math.max(this.ndv(pair[0], l), this.ndv(pair[1], r));
        leftKeys.push(pair[0]);
        rightKeys.push(pair[1]);
      } else sel *= this.selectivity(e, undefined, l * r);
    }
    const keyed = this.uniqueKeySelectivity(leftKeys, rightKeys);
    return keyed === undefined ? sel : sel * (keyed / this.equiSelectivity(leftKeys, rightKeys, l, r));
  }

  /** Product of 1/max(ndv) over paired keys. */
  equiSelectivity(leftKeys: readonly Expr[], rightKeys: readonly Expr[], l: number, r: number): number {
    let sel = 1;
    leftKeys.forEach((k, i) => {
      sel *= 1 / Math.max(this.ndv(k, l), this.ndv(rightKeys[i]!, r));
    });
    return sel;
  }

  /**
   * When the keys of one side cover a unique index of the table they come from, each row of the
   * other side meets at most one of its rows: the selectivity is 1/|table| (foreign key → key joins
   * on several columns, where multiplying per-column estimates would be far too small).
   */
  uniqueKeySelectivity(leftKeys: readonly Expr[], rightKeys: readonly Expr[]): number | undefined {
    if (leftKeys.length < 2) return undefined;
    let best: number | undefined;
    for (const keys of [leftKeys, rightKeys]) {
      const cols = keys.map((k) => (k.kind === 'column' ? this.columns.get(k.id) : undefined));
      const table = cols[0]?.table;
      if (!table || cols.some((c) => c?.table !== table)) continue;
      const names = new Set(cols.map((c) => c!.columnName));
      if (!table.indexes.some((ix) => ix.unique && ix.columns.every((n) => names.has(n)))) continue;
      const sel = 1 / Math.max(1, cols[0]!.tableRows);
      best = best === undefined ? sel : Math.min(best, sel);
    }
    return best;
  }

  /** Selectivity of a predicate over `input` (or over `rows` rows when no node is at hand). */
  selectivity(e: Expr, input?: LogicalPlan, rows?: number): number {
    const n = input ? this.rows(input) : (rows ?? DEFAULT_ROWS);
    const parts = conjuncts(e);
    if (parts.length > 1) return this.conjunctionSel(parts, n);
    return clamp(this.sel(e, n));
  }

  /** Range bounds on the same column are combined (`a >= x AND a < y` is one interval), the rest multiplied. */
  private conjunctionSel(parts: readonly Expr[], n: number): number {
    const ranges = new Map<ColumnId, { lo?: number | string; hi?: number | string; loIncl: boolean; hiIncl: boolean }>();
    let sel = 1;
    for (const e of parts) {
      const r = rangeOf(e);
      if (r) {
        const cur = ranges.get(r.col) ?? { loIncl: false, hiIncl: false };
        if (r.side === 'lo') ranges.set(r.col, { ...cur, lo: r.value, loIncl: r.inclusive });
        else ranges.set(r.col, { ...cur, hi: r.value, hiIncl: r.inclusive });
        continue;
      }
      sel *= this.sel(e, n);
    }
    for (const [col, r] of ranges) sel *= this.rangeSel(col, r.lo, r.hi, r.lo !== undefined, r.hi !== undefined);
    return clamp(sel);
  }

  private sel(e: Expr, n: number): number {
    switch (e.kind) {
      case 'literal':
        return e.value === true ? 1 : 0;
      case 'column':
        return 0.5;
      case 'subquery':
        return 0.5;
      case 'call':
        break;
      default:
        return DEFAULT_SEL;
    }
    const [a, b] = e.args;
    switch (e.fn) {
      case 'and':
        return this.conjunctionSel(conjuncts(e), n);
      case 'or': {
        let keep = 1;
        for (const x of e.args) keep *= 1 - clamp(this.sel(x, n));
        return 1 - keep;
      }
      case 'not':
        return 1 - clamp(this.sel(a!, n));
      case 'is_null':
        return a!.kind === 'column' ? (this.columns.get(a!.id)?.stats?.nullFraction ?? 0.01) : 0.01;
      case 'is_not_null':
        return a!.kind === 'column' ? 1 - (this.columns.get(a!.id)?.stats?.nullFraction ?? 0.01) : 0.99;
      case 'in': {
        const col = columnOf(a!);
        const each = col !== undefined ? this.eqSel(col, e.args[1]!, n) : DEFAULT_EQ_SEL;
        return Math.min(1, each * (e.args.length - 1));
      }
      case 'like':
      case 'ilike':
        return likeSel(b!);
      default:
        break;
    }
    if (COMPARISONS.has(e.fn) && a && b) {
      let colSide = a;
      let other = b;
      let op = e.fn;
      if (columnOf(a) === undefined && columnOf(b) !== undefined) {
        colSide = b;
        other = a;
        op = FLIP[op]!;
      }
      const col = columnOf(colSide);
      if (col === undefined) return op === '=' ? DEFAULT_EQ_SEL : op === '<>' ? 1 - DEFAULT_EQ_SEL : DEFAULT_RANGE_SEL;
      const otherCol = columnOf(other);
      if (otherCol !== undefined) {
        const s = 1 / Math.max(this.ndv(colSide, n), this.ndv(other, n));
        return op === '=' ? s : op === '<>' ? 1 - s : DEFAULT_RANGE_SEL;
      }
      switch (op) {
        case '=':
          return this.eqSel(col, other, n);
        case '<>':
          return 1 - this.eqSel(col, other, n);
        case '<':
        case '<=':
          return this.rangeSel(col, undefined, literalNumber(other), false, true);
        default:
          return this.rangeSel(col, literalNumber(other), undefined, true, false);
      }
    }
    return DEFAULT_SEL;
  }

  /** `col = value`: the non-null share spread evenly over the distinct values (0 outside [min, max]). */
  eqSel(col: ColumnId, value: Expr, n: number): number {
    const est = this.columns.get(col);
    if (!est?.stats) return est && isUniqueKey(est) ? 1 / Math.max(1, Math.min(est.tableRows, n)) : DEFAULT_EQ_SEL;
    const v = literalNumber(value);
    const { min, max } = est.stats;
    if (v !== undefined && min !== undefined && max !== undefined && typeof v === typeof min && (v < min || v > max)) return 0;
    const d = est.stats.distinctCount < 0 ? -est.stats.distinctCount * est.tableRows : est.stats.distinctCount;
    return (1 - est.stats.nullFraction) / Math.max(1, d);
  }

  /**
   * Fraction of rows in [lo, hi] (either bound optional): from the equi-depth histogram when there
   * is one, else by linear interpolation between min and max; a default when the bounds are unknown.
   */
  rangeSel(col: ColumnId, lo: number | string | undefined, hi: number | string | undefined, hasLo: boolean, hasHi: boolean): number {
    const stats = this.columns.get(col)?.stats;
    if ((hasLo && lo === undefined) || (hasHi && hi === undefined) || !stats || stats.min === undefined || stats.max === undefined) {
      return hasLo && hasHi ? 0.1 : DEFAULT_RANGE_SEL;
    }
    const below = (v: number | string): number => fractionBelow(stats, v);
    const from = lo === undefined ? 0 : below(lo);
    const to = hi === undefined ? 1 : below(hi);
    const s = (to - from) * (1 - stats.nullFraction);
    // Never quite zero: an empty estimate would make every plan above it look free.
    return Math.max(s, 1 / Math.max(10, (stats.distinctCount < 0 ? 1000 : stats.distinctCount) * 10));
  }
}

/** A column that alone is a unique key of its table (one row per value). */
const isUniqueKey = (c: ColumnEstimate): boolean => !!c.table?.indexes.some((ix) => ix.unique && ix.columns.length === 1 && ix.columns[0] === c.columnName);

const clamp = (s: number): number => (Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : DEFAULT_SEL);

function columnOf(e: Expr): ColumnId | undefined {
  if (e.kind === 'column') return e.id;
  if (e.kind === 'cast' && e.expr.kind === 'column') return e.expr.id;
  return undefined;
}

function subsetOfIds(e: Expr, s: ReadonlySet<ColumnId>): boolean {
  for (const c of exprColumns(e)) if (!s.has(c)) return false;
  return true;
}

/** For `x = y` with x's columns on the left and y's on the right (either order), the pair [leftSide, rightSide]. */
export function equiPair(e: Expr, leftIds: ReadonlySet<ColumnId>, rightIds: ReadonlySet<ColumnId>): [Expr, Expr] | undefined {
  if (e.kind !== 'call' || e.fn !== '=' || e.args.length !== 2) return undefined;
  const [a, b] = e.args as [Expr, Expr];
  const ca = exprColumns(a);
  const cb = exprColumns(b);
  if (ca.size === 0 || cb.size === 0) return undefined;
  const inSet = (cs: Set<ColumnId>, s: ReadonlySet<ColumnId>): boolean => [...cs].every((c) => s.has(c));
  if (inSet(ca, leftIds) && inSet(cb, rightIds)) return [a, b];
  if (inSet(cb, leftIds) && inSet(ca, rightIds)) return [b, a];
  return undefined;
}

/** `col op literal` as one side of a range. */
function rangeOf(e: Expr): { col: ColumnId; side: 'lo' | 'hi'; value: number | string; inclusive: boolean } | undefined {
  if (e.kind !== 'call' || e.args.length !== 2 || !['<', '<=', '>', '>='].includes(e.fn)) return undefined;
  let [a, b] = e.args as [Expr, Expr];
  let op = e.fn;
  if (columnOf(a) === undefined) {
    [a, b] = [b, a];
    op = FLIP[op]!;
  }
  const col = columnOf(a);
  const value = literalNumber(b);
  if (col === undefined || value === undefined) return undefined;
  return { col, side: op === '<' || op === '<=' ? 'hi' : 'lo', value, inclusive: op === '<=' || op === '>=' };
}

/** LIKE: a fixed prefix narrows like a range; a leading wildcard matches a few percent. */
function likeSel(pattern: Expr): number {
  if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') return DEFAULT_SEL;
  const p = pattern.value;
  if (!/[%_]/.test(p)) return DEFAULT_EQ_SEL;
  return p.startsWith('%') || p.startsWith('_') ? 0.05 : 0.02;
}

/** Share of non-null values below `v`, from the histogram or linear interpolation between min and max. */
function fractionBelow(stats: ColumnStats, v: number | string): number {
  const min = stats.min!;
  const max = stats.max!;
  if (typeof v !== typeof min) return 0.5;
  if (v <= min) return 0;
  if (v > max) return 1;
  const h = stats.histogram;
  if (h && h.length > 0 && typeof h[0] === typeof v) {
    let lo: number | string = min;
    for (let i = 0; i < h.length; i++) {
      const hi = h[i]!;
      if (v <= hi) return (i + within(lo, hi, v)) / h.length;
      lo = hi;
    }
    return 1;
  }
  return within(min, max, v);
}

function within(lo: number | string, hi: number | string, v: number | string): number {
  if (typeof lo === 'number' && typeof hi === 'number' && typeof v === 'number') return hi > lo ? Math.min(1, Math.max(0, (v - lo) / (hi - lo))) : 0.5;
  if (typeof lo === 'string' && typeof hi === 'string' && typeof v === 'string') return stringPosition(lo, hi, v);
  return 0.5;
}

/** Position of a string between two bounds, reading the first differing characters as digits. */
function stringPosition(lo: string, hi: string, v: string): number {
  let i = 0;
  while (i < lo.length && i < hi.length && lo[i] === hi[i]) i++;
  const num = (s: string): number => {
    let x = 0;
    for (let k = 0; k < 4; k++) x = x * 65536 + (s.charCodeAt(i + k) || 0);
    return x;
  };
  const a = num(lo);
  const b = num(hi);
  return b > a ? Math.min(1, Math.max(0, (num(v) - a) / (b - a))) : 0.5;
}
