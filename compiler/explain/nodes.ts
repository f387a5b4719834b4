// What every EXPLAIN format shows of a physical node: its title, detail lines, children and pre-order numbering.

import type { ProjectItem } from '../ir/plan.ts';
import { durationText, printAccess, printAggregateCall, printExpr, printFill, printSortKey, printWindowCall } from '../ir/print.ts';
import type { Expr } from '../ir/expr.ts';
import type { PhysicalKind, PhysicalPlan, PhysicalQuery } from '../physical/plan.ts';

/** Measured figures of one operator, keyed by its pre-order index (see `preorder`). */
export interface ActualStats {
  readonly actualRows: number;
  readonly batches: number;
  readonly timeMs: number;
}

export interface ExplainOptions {
  /** EXPLAIN ANALYZE: measurements per node, by pre-order index. */
  readonly actual?: ReadonlyMap<number, ActualStats>;
}

const rel = (table: string, alias: string): string => (alias === table ? table : `${table} ${alias}`);

const item = (i: ProjectItem): string => (i.expr.kind === 'column' && i.expr.id === i.column.id ? `${i.column.name}#${i.column.id}` : `${i.column.name}#${i.column.id} := ${printExpr(i.expr)}`);

const keys = (l: readonly Expr[], r: readonly Expr[]): string => l.map((k, i) => `${printExpr(k)} = ${printExpr(r[i]!)}`).join(' AND ');

const TITLES = {
  'seq-scan': (p) => `Seq Scan on ${rel(p.table.name, p.alias)}`,
  'index-scan': (p) => `Index Scan using ${p.index.name} on ${rel(p.table.name, p.alias)}`,
  values: (p) => `Values (${p.rows.length} rows)`,
  'table-function': (p) => `Function Scan on ${p.fn}`,
  expand: (p) => `Expand ${p.direction} over ${p.edge.name}`,
  filter: () => 'Filter',
  project: () => 'Project',
  'hash-join': (p) => `Hash Join (${p.joinType})`,
  'merge-join': (p) => `Merge Join (${p.joinType})`,
  'nested-loop-join': (p) => `Nested Loop (${p.joinType})`,
  'hash-aggregate': () => 'Hash Aggregate',
  'sort-aggregate': (p) => (p.groups.length ? 'Group Aggregate' : 'Aggregate'),
  sort: () => 'Sort',
  'top-n': () => 'Top-N Sort',
  limit: () => 'Limit',
  distinct: (p) => (p.on ? 'Distinct On' : 'Distinct'),
  'set-op': (p) => `${p.op === 'union' ? 'Union' : p.op === 'intersect' ? 'Intersect' : 'Except'}${p.all ? ' All' : ''}`,
  window: () => 'Window',
  'recursive-cte': (p) => `Recursive Union ${p.name}`,
  'work-table': (p) => `WorkTable Scan on ${p.name}`,
  insert: (p) => `Insert on ${p.table.name}`,
  update: (p) => `Update on ${p.table.name}`,
  delete: (p) => `Delete on ${p.table.name}`,
  'gap-fill': () => 'Gap Fill',
  live: (p) => `Live Query on ${p.table}${p.diff ? ' (diff)' : ''}`,
} satisfies { [K in PhysicalKind]: (p: Extract<PhysicalPlan, { kind: K }>) => string };

/** The node's title, as EXPLAIN prints it (`Hash Join (inner)`). */
export function nodeTitle(p: PhysicalPlan): string {
  return (TITLES[p.kind] as (p: PhysicalPlan) => string)(p);
}

/** The node's details as `label: text` pairs (keys, predicates, groups…), in print order. */
export function nodeDetails(p: PhysicalPlan): [string, string][] {
  const out: [string, string][] = [];
  const add = (k: string, v: string | undefined): void => {
    if (v) out.push([k, v]);
  };
  switch (p.kind) {
    case 'seq-scan':
      add('filter', p.filter && printExpr(p.filter));
      break;
    case 'index-scan':
      add('key', printAccess({ kind: 'index', index: p.index, eq: p.eq, ...(p.range ? { range: p.range } : {}) }).replace(/^ index=\S+ ?/, ''));
      add('filter', p.filter && printExpr(p.filter));
      break;
    case 'values':
      break;
    case 'table-function':
      add('args', p.args.map(printExpr).join(', '));
      break;
    case 'expand':
      add('start', printExpr(p.start));
      add('depth', `${p.minDepth}..${p.maxDepth}`);
      add('where', p.where && printExpr(p.where));
      break;
    case 'filter':
      add('predicate', printExpr(p.predicate));
      break;
    case 'project':
      add('items', p.items.map(item).join(', '));
      break;
    case 'hash-join':
    case 'merge-join':
      add('on', keys(p.leftKeys, p.rightKeys));
      add('residual', p.residual && printExpr(p.residual));
      break;
    case 'nested-loop-join':
      add('on', p.condition && printExpr(p.condition));
      break;
    case 'hash-aggregate':
    case 'sort-aggregate':
      add('group by', p.groups.map((g) => (g.expr.kind === 'column' && g.expr.id === g.column.id ? printExpr(g.expr) : `${g.column.name}#${g.column.id} := ${printExpr(g.expr)}`)).join(', '));
      add('aggregates', p.aggregates.map((a) => `${a.column.name}#${a.column.id} := ${printAggregateCall(a.call)}`).join(', '));
      break;
    case 'sort':
      add('keys', p.keys.map(printSortKey).join(', '));
      break;
    case 'top-n':
      add('limit', printExpr(p.limit));
      add('offset', p.offset && printExpr(p.offset));
      add('keys', p.keys.map(printSortKey).join(', '));
      break;
    case 'limit':
      add('limit', p.limit && printExpr(p.limit));
      add('offset', p.offset && printExpr(p.offset));
      break;
    case 'distinct':
      add('on', p.on?.map(printExpr).join(', '));
      break;
    case 'window':
      add('windows', p.windows.map((w) => `${w.column.name}#${w.column.id} := ${printWindowCall(w.call)}`).join(', '));
      break;
    case 'gap-fill':
      add('time', `${p.time.name}#${p.time.id} every ${durationText(p.step)}`);
      add('partition', p.partition.map((c) => `${c.name}#${c.id}`).join(', '));
      add('fill', p.fills.map((f) => `${f.column.name}#${f.column.id} ${printFill(f.mode)}`).join(', '));
      break;
    case 'live':
      add('delivery', p.diff ? 'changes as patches' : 'changed rows');
      break;
    case 'update':
      add('set', p.assignments.map((a) => `${p.table.columns[a.ordinal]?.name ?? a.ordinal} = ${printExpr(a.expr)}`).join(', '));
      break;
    default:
      break;
  }
  return out;
}

/** The inputs of a physical node, in order. */
export function physicalChildren(p: PhysicalPlan): readonly PhysicalPlan[] {
  switch (p.kind) {
    case 'seq-scan':
    case 'index-scan':
    case 'values':
    case 'table-function':
    case 'expand':
    case 'work-table':
      return [];
    case 'hash-join':
    case 'merge-join':
    case 'nested-loop-join':
    case 'set-op':
      return [p.left, p.right];
    case 'recursive-cte':
      return [p.anchor, p.recursive];
    case 'insert':
      return [p.source];
    default:
      return [p.input];
  }
}

/**
 * Every node in EXPLAIN ANALYZE numbering: the main plan in pre-order from 0, then each subplan
 * (ascending subquery id) in pre-order, continuing the count. The executor numbers the same way.
 */
export function preorder(q: PhysicalQuery): PhysicalPlan[] {
  const out: PhysicalPlan[] = [];
  const walk = (p: PhysicalPlan): void => {
    out.push(p);
    for (const k of physicalChildren(p)) walk(k);
  };
  walk(q.plan);
  for (const id of subplanIds(q)) walk(q.subplans[id]!);
  return out;
}

/** Subplan ids in print order. */
export const subplanIds = (q: PhysicalQuery): number[] => Object.keys(q.subplans).map(Number).sort((a, b) => a - b);
