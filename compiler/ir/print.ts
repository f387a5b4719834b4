// Deterministic text form of the logical IR: one node per line, indented, with its schema; the test oracle.

import type { AggregateCall, Column, Expr, FrameBound, Frame, Schema, SortKey, WindowCall } from './expr.ts';
import type { FillMode, LogicalPlan, PlanKind, ProjectItem, ScanAccess } from './plan.ts';
import type { DataType, Interval } from './types.ts';

/** Compact type spelling used in schemas: `int64`, `decimal(15,2)`, `utf8(25)`, `timestamptz`. */
export function printType(t: DataType): string {
  switch (t.kind) {
    case 'decimal':
      return t.precision === undefined ? 'decimal' : `decimal(${t.precision},${t.scale ?? 0})`;
    case 'utf8':
      return t.maxLength === undefined ? (t.fixed ? 'char' : 'utf8') : `${t.fixed ? 'char' : 'utf8'}(${t.maxLength})`;
    case 'timestamp':
      return t.tz ? 'timestamptz' : 'timestamp';
    case 'json':
      return t.binary ? 'jsonb' : 'json';
    case 'list':
      return `${printType(t.element)}[]`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${printType(f.type)}`).join(',')}>`;
    case 'vector':
      return `vector(${t.dimension})`;
    default:
      return t.kind;
  }
}

/** `[schema: name:type …]`. */
export function printSchema(schema: Schema): string {
  return `[schema: ${schema.map((c) => `${c.name}:${printType(c.type)}`).join(' ')}]`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

function printDate(days: number): string {
  const d = new Date(days * 86_400_000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

function printTimestamp(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const d = new Date(ms);
  const frac = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const base = `${printDate(Math.floor(ms / 86_400_000))} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0').replace(/0+$/, '')}`;
}

function printInterval(iv: Interval): string {
  const parts: string[] = [];
  const years = Math.trunc(iv.months / 12);
  const months = iv.months % 12;
  if (years) parts.push(`${years} year${Math.abs(years) === 1 ? '' : 's'}`);
  if (months) parts.push(`${months} mon${Math.abs(months) === 1 ? '' : 's'}`);
  if (iv.days) parts.push(`${iv.days} day${Math.abs(iv.days) === 1 ? '' : 's'}`);
  if (iv.micros || parts.length === 0) {
    const neg = iv.micros < 0;
    let rest = Math.abs(iv.micros);
    const h = Math.floor(rest / 3_600_000_000);
    rest -= h * 3_600_000_000;
    const m = Math.floor(rest / 60_000_000);
    rest -= m * 60_000_000;
    const s = rest / 1_000_000;
    const secs = Number.isInteger(s) ? pad2(s) : s.toFixed(6).replace(/0+$/, '').padStart(9, '0');
    parts.push(`${neg ? '-' : ''}${pad2(h)}:${pad2(m)}:${secs}`);
  }
  return parts.join(' ');
}

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** A literal value in SQL-like form, typed where the type is not obvious from the text. */
export function printValue(value: unknown, t: DataType): string {
  if (value === null || value === undefined) return 'NULL';
  switch (t.kind) {
    case 'bool':
      return value ? 'true' : 'false';
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
    case 'decimal':
      return String(value);
    case 'utf8':
    case 'unknown':
    case 'uuid':
      return quote(String(value));
    case 'date':
      return `DATE '${printDate(value as number)}'`;
    case 'timestamp':
      return `TIMESTAMP${t.tz ? 'TZ' : ''} '${printTimestamp(value as number)}'`;
    case 'interval':
      return `INTERVAL '${printInterval(value as Interval)}'`;
    case 'binary':
      return `'\\x${Array.from(value as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join('')}'`;
    case 'json':
      return quote(JSON.stringify(value));
    case 'list':
      return `ARRAY[${(value as readonly unknown[]).map((v) => printValue(v, t.element)).join(', ')}]`;
    case 'vector':
      return `[${Array.from(value as Float32Array).join(',')}]`;
    case 'struct':
      return `ROW(${t.fields.map((f) => printValue((value as Record<string, unknown>)[f.name], f.type)).join(', ')})`;
    default:
      return quote(String(value));
  }
}

const INFIX = new Set(['+', '-', '*', '/', '%', '^', '=', '<>', '<', '<=', '>', '>=', '||', '->', '->>', '#>', '#>>', '@>', '<@', '?', '&', '|', '#', '<<', '>>', 'like', 'ilike']);

/** Operands of a nest of the same associative call, so `(a AND b AND c)` prints flat. */
function flatten(fn: string, e: Expr): Expr[] {
  return e.kind === 'call' && e.fn === fn ? e.args.flatMap((x) => flatten(fn, x)) : [e];
}

/** An expression with columns as `name#id`, operators infix and parenthesized. */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return `${e.name}#${e.id}`;
    case 'literal':
      return printValue(e.value, e.type);
    case 'param':
      return `$${e.index}`;
    case 'call': {
      const a = e.args.map(printExpr);
      if (INFIX.has(e.fn) && a.length === 2) return `(${a[0]} ${e.fn.includes('like') ? e.fn.toUpperCase() : e.fn} ${a[1]})`;
      switch (e.fn) {
        case 'and':
        case 'or':
          return `(${flatten(e.fn, e).map(printExpr).join(` ${e.fn.toUpperCase()} `)})`;
        case 'not':
          return `NOT ${a[0]}`;
        case 'neg':
          return `-${a[0]}`;
        case 'is_null':
          return `(${a[0]} IS NULL)`;
        case 'is_not_null':
          return `(${a[0]} IS NOT NULL)`;
        case 'is_distinct_from':
          return `(${a[0]} IS DISTINCT FROM ${a[1]})`;
        case 'is_not_distinct_from':
          return `(${a[0]} IS NOT DISTINCT FROM ${a[1]})`;
        case 'in':
          return `(${a[0]} IN (${a.slice(1).join(', ')}))`;
        default:
          return `${e.fn}(${a.join(', ')})`;
      }
    }
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${printExpr(w.when)} THEN ${printExpr(w.then)}`).join(' ')}${e.else ? ` ELSE ${printExpr(e.else)}` : ''} END`;
    case 'cast':
      return e.implicit ? `${printExpr(e.expr)}::${printType(e.type)}` : `CAST(${printExpr(e.expr)} AS ${printType(e.type)})`;
    case 'subquery': {
      const ref = `subquery#${e.id}`;
      switch (e.mode) {
        case 'scalar':
          return `(${ref})`;
        case 'exists':
          return `EXISTS(${ref})`;
        case 'array':
          return `ARRAY(${ref})`;
        case 'in':
          return `(${printExpr(e.operand!)} IN (${ref}))`;
        case 'any':
        case 'all':
          return `(${printExpr(e.operand!)} ${e.op} ${e.mode.toUpperCase()}(${ref}))`;
      }
    }
  }
}

/** `expr [DESC] [NULLS FIRST|LAST]`, naming the nulls placement only when it differs from PostgreSQL's default. */
export function printSortKey(k: SortKey): string {
  const nulls = k.nullsFirst === k.descending ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return `${printExpr(k.expr)}${k.descending ? ' DESC' : ''}${nulls}`;
}

const colName = (c: Column): string => `${c.name}#${c.id}`;

function printItem(i: ProjectItem): string {
  if (i.expr.kind === 'column' && i.expr.id === i.column.id) return colName(i.column);
  return `${colName(i.column)} := ${printExpr(i.expr)}`;
}

/** An aggregate call: `sum(DISTINCT x#1) FILTER (WHERE …) ORDER BY …`; `count()` prints as `count(*)`. */
export function printAggregateCall(a: AggregateCall): string {
  const args = a.args.length === 0 && a.fn === 'count' ? '*' : a.args.map(printExpr).join(', ');
  const order = a.orderBy.length ? ` ORDER BY ${a.orderBy.map(printSortKey).join(', ')}` : '';
  return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${args}${order})${a.filter ? ` FILTER (WHERE ${printExpr(a.filter)})` : ''}`;
}

function printBound(b: FrameBound): string {
  switch (b.kind) {
    case 'unbounded-preceding':
      return 'UNBOUNDED PRECEDING';
    case 'preceding':
      return `${printExpr(b.offset)} PRECEDING`;
    case 'current-row':
      return 'CURRENT ROW';
    case 'following':
      return `${printExpr(b.offset)} FOLLOWING`;
    case 'unbounded-following':
      return 'UNBOUNDED FOLLOWING';
  }
}

const printFrame = (f: Frame): string => `${f.units.toUpperCase()} BETWEEN ${printBound(f.start)} AND ${printBound(f.end)}`;

/** A window call with its full OVER clause. */
export function printWindowCall(w: WindowCall): string {
  const head = printAggregateCall({ ...w, orderBy: [] });
  const over: string[] = [];
  if (w.partitionBy.length) over.push(`PARTITION BY ${w.partitionBy.map(printExpr).join(', ')}`);
  if (w.orderBy.length) over.push(`ORDER BY ${w.orderBy.map(printSortKey).join(', ')}`);
  over.push(printFrame(w.frame));
  return `${head} OVER (${over.join(' ')})`;
}

/** How a scan reaches rows: nothing for a full scan, else ` index=name eq=[…] range=[…]`. */
export function printAccess(a: ScanAccess): string {
  if (a.kind === 'full') return '';
  const parts = [` index=${a.index.name}`];
  if (a.eq.length) parts.push(`eq=[${a.eq.map(printExpr).join(', ')}]`);
  if (a.range) {
    const r: string[] = [];
    if (a.range.low) r.push(`${a.range.low.inclusive ? '>=' : '>'} ${printExpr(a.range.low.expr)}`);
    if (a.range.high) r.push(`${a.range.high.inclusive ? '<=' : '<'} ${printExpr(a.range.high.expr)}`);
    parts.push(`range=[${r.join(', ')}]`);
  }
  return parts.join(' ');
}

const aliasPart = (name: string, alias: string): string => (alias === name ? name : `${name} AS ${alias}`);

/** The one-line head of each node kind (without schema); exhaustive so a new node kind breaks the build here. */
const HEADS = {
  scan: (p) => `Scan ${aliasPart(p.table.name, p.alias)}${printAccess(p.access)}`,
  values: (p) => `Values ${p.rows.map((r) => `(${r.map(printExpr).join(', ')})`).join(', ')}`,
  'table-function': (p) => `TableFunction ${p.fn}(${p.args.map(printExpr).join(', ')})${p.ordinality ? ' WITH ORDINALITY' : ''}`,
  expand: (p) => `Expand ${p.direction} ${p.edge.name} from ${printExpr(p.start)} depth ${p.minDepth}..${p.maxDepth}${p.where ? ` where ${printExpr(p.where)}` : ''}`,
  filter: (p) => `Filter ${printExpr(p.predicate)}`,
  project: (p) => `Project ${p.items.map(printItem).join(', ')}`,
  join: (p) => `Join ${p.joinType}${p.condition ? ` on ${printExpr(p.condition)}` : ''}`,
  aggregate: (p) =>
    `Aggregate groups=[${p.groups.map((g) => printItem(g)).join(', ')}] aggs=[${p.aggregates.map((a) => `${colName(a.column)} := ${printAggregateCall(a.call)}`).join(', ')}]`,
  window: (p) => `Window ${p.windows.map((w) => `${colName(w.column)} := ${printWindowCall(w.call)}`).join(', ')}`,
  sort: (p) => `Sort ${p.keys.map(printSortKey).join(', ')}`,
  limit: (p) => `Limit${p.limit ? ` ${printExpr(p.limit)}` : ''}${p.offset ? ` offset=${printExpr(p.offset)}` : ''}`,
  distinct: (p) => `Distinct${p.on ? ` on [${p.on.map(printExpr).join(', ')}]` : ''}`,
  'set-op': (p) => `${p.op[0]!.toUpperCase()}${p.op.slice(1)}${p.all ? ' all' : ''}`,
  'recursive-cte': (p) => `RecursiveCte ${p.name}#${p.cteId}${p.all ? ' union all' : ' union'}`,
  'work-table': (p) => `WorkTable ${p.name}#${p.cteId}`,
  insert: (p) => {
    const conflict = p.onConflict
      ? p.onConflict.action.kind === 'nothing'
        ? ` on conflict (${p.onConflict.keyOrdinals.join(', ')}) do nothing`
        : ` on conflict (${p.onConflict.keyOrdinals.join(', ')}) do update set ${p.onConflict.action.assignments.map((a) => `[${a.ordinal}] = ${printExpr(a.expr)}`).join(', ')}${p.onConflict.action.where ? ` where ${printExpr(p.onConflict.action.where)}` : ''}`
      : '';
    const defaults = p.defaults.length ? ` defaults=[${p.defaults.map((d) => `[${d.ordinal}] = ${printExpr(d.expr)}`).join(', ')}]` : '';
    return `Insert ${p.table.name} ordinals=[${p.targetOrdinals.join(', ')}]${defaults}${conflict}${returning(p.returning?.items)}`;
  },
  update: (p) =>
    `Update ${p.table.name} set ${p.assignments.map((a) => `${p.table.columns[a.ordinal]?.name ?? `[${a.ordinal}]`} = ${printExpr(a.expr)}`).join(', ')}${returning(p.returning?.items)}`,
  delete: (p) => `Delete ${p.table.name}${returning(p.returning?.items)}`,
  'gap-fill': (p) => `GapFill ${colName(p.time)} step=${durationText(p.step)}${p.partition.length ? ` partition=[${p.partition.map(colName).join(', ')}]` : ''} fill=[${p.fills.map((f) => `${colName(f.column)} ${printFill(f.mode)}`).join(', ')}]`,
  live: (p) => `LiveQuery ${p.table}${p.diff ? ' diff' : ''}`,
} satisfies { [K in PlanKind]: (p: Extract<LogicalPlan, { kind: K }>) => string };

/** Microseconds as an OrbitQL duration, largest units first (`1h30m`, `250ms`). */
export function durationText(us: number): string {
  const units: [string, number][] = [['d', 86_400_000_000], ['h', 3_600_000_000], ['m', 60_000_000], ['s', 1_000_000], ['ms', 1000], ['us', 1]];
  let out = '';
  let left = us;
  for (const [u, n] of units) {
    const k = Math.floor(left / n);
    if (k > 0) out += `${k}${u}`;
    left -= k * n;
  }
  return out || '0s';
}

/** A FILL mode as written after FILL: `null`, `previous`, `linear` or the constant. */
export function printFill(m: FillMode): string {
  return m.kind === 'value' ? printExpr(m.value) : m.kind;
}

function returning(items: readonly ProjectItem[] | undefined): string {
  return items ? ` returning ${items.map(printItem).join(', ')}` : '';
}

/** The one-line head of a node (no schema, no children). */
export function printNodeHead(p: LogicalPlan): string {
  return (HEADS[p.kind] as (p: LogicalPlan) => string)(p);
}

/** Subquery expressions a node holds directly, in print order (nested plans are printed under the node). */
export function nodeSubqueries(p: LogicalPlan): Extract<Expr, { kind: 'subquery' }>[] {
  const out: Extract<Expr, { kind: 'subquery' }>[] = [];
  const visit = (e: Expr | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case 'subquery':
        out.push(e);
        visit(e.operand);
        break;
      case 'call':
        e.args.forEach(visit);
        break;
      case 'case':
        e.whens.forEach((w) => {
          visit(w.when);
          visit(w.then);
        });
        visit(e.else);
        break;
      case 'cast':
        visit(e.expr);
        break;
      default:
        break;
    }
  };
  forEachNodeExpr(p, visit);
  return out;
}

/** Calls `f` on every expression a node holds directly (not those of its inputs). */
export function forEachNodeExpr(p: LogicalPlan, f: (e: Expr) => void): void {
  switch (p.kind) {
    case 'scan':
      if (p.access.kind === 'index') {
        p.access.eq.forEach(f);
        if (p.access.range?.low) f(p.access.range.low.expr);
        if (p.access.range?.high) f(p.access.range.high.expr);
      }
      break;
    case 'values':
      p.rows.forEach((r) => r.forEach(f));
      break;
    case 'table-function':
      p.args.forEach(f);
      break;
    case 'expand':
      f(p.start);
      if (p.where) f(p.where);
      break;
    case 'filter':
      f(p.predicate);
      break;
    case 'project':
      p.items.forEach((i) => f(i.expr));
      break;
    case 'join':
      if (p.condition) f(p.condition);
      break;
    case 'aggregate':
      p.groups.forEach((g) => f(g.expr));
      p.aggregates.forEach((a) => {
        a.call.args.forEach(f);
        if (a.call.filter) f(a.call.filter);
        a.call.orderBy.forEach((k) => f(k.expr));
      });
      break;
    case 'window':
      p.windows.forEach((w) => {
        w.call.args.forEach(f);
        if (w.call.filter) f(w.call.filter);
        w.call.partitionBy.forEach(f);
        w.call.orderBy.forEach((k) => f(k.expr));
      });
      break;
    case 'sort':
      p.keys.forEach((k) => f(k.expr));
      break;
    case 'limit':
      if (p.limit) f(p.limit);
      if (p.offset) f(p.offset);
      break;
    case 'distinct':
      p.on?.forEach(f);
      break;
    case 'insert':
      p.defaults.forEach((d) => f(d.expr));
      if (p.onConflict?.action.kind === 'update') {
        p.onConflict.action.assignments.forEach((a) => f(a.expr));
        if (p.onConflict.action.where) f(p.onConflict.action.where);
      }
      p.returning?.items.forEach((i) => f(i.expr));
      break;
    case 'update':
      p.assignments.forEach((a) => f(a.expr));
      p.returning?.items.forEach((i) => f(i.expr));
      break;
    case 'delete':
      p.returning?.items.forEach((i) => f(i.expr));
      break;
    case 'gap-fill':
      p.fills.forEach((x) => {
        if (x.mode.kind === 'value') f(x.mode.value);
      });
      break;
    case 'set-op':
    case 'recursive-cte':
    case 'work-table':
    case 'live':
      break;
  }
}

function printInto(p: LogicalPlan, depth: number, out: string[]): void {
  const indent = '  '.repeat(depth);
  out.push(`${indent}${printNodeHead(p)} ${printSchema(p.schema)}`);
  for (const sq of nodeSubqueries(p)) {
    const corr = sq.correlated.length ? ` correlated=[${sq.correlated.join(', ')}]` : '';
    out.push(`${indent}  Subquery#${sq.id} ${sq.mode}${corr}`);
    printInto(sq.plan, depth + 2, out);
  }
  switch (p.kind) {
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'update':
    case 'delete':
    case 'gap-fill':
    case 'live':
      printInto(p.input, depth + 1, out);
      break;
    case 'insert':
      printInto(p.source, depth + 1, out);
      break;
    case 'join':
    case 'set-op':
      printInto(p.left, depth + 1, out);
      printInto(p.right, depth + 1, out);
      break;
    case 'recursive-cte':
      printInto(p.anchor, depth + 1, out);
      printInto(p.recursive, depth + 1, out);
      break;
    default:
      break;
  }
}

/**
 * The plan as an indented tree, one node per line: `Join inner on (a#1 = b#4) [schema: a:int32 b:int32]`.
 * Subquery plans appear under the node that holds them as `Subquery#n mode`. Deterministic.
 */
export function printLogical(plan: LogicalPlan): string {
  const out: string[] = [];
  printInto(plan, 0, out);
  return out.join('\n');
}
