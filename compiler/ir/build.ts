// Smart constructors for logical plan nodes: the only way nodes are built; each computes its schema once.

import { CompilerBug } from '../diagnostics/index.ts';
import type { Column, Expr, Schema, SortKey } from './expr.ts';
import type {
  Aggregate, AggregateItem, Delete, Distinct, Expand, Filter, GapFill, GroupItem, Insert, Join, JoinType, Limit, LiveQuery, LogicalPlan,
  Project, ProjectItem, RecursiveCte, Scan, ScanAccess, ScanColumn, SetOp, Sort, TableFunction, Update, Values,
  Window, WindowItem, WorkTable,
} from './plan.ts';
import type { TableInfo } from '../catalog/index.ts';

const FULL: ScanAccess = { kind: 'full' };

const plain = (c: Column): Column => ({ id: c.id, name: c.name, type: c.type, nullable: c.nullable, ...(c.relation !== undefined ? { relation: c.relation } : {}) });

export function scan(table: TableInfo, alias: string, columns: readonly ScanColumn[], access: ScanAccess = FULL): Scan {
  return { kind: 'scan', table, alias, columns, access, schema: columns.map(plain) };
}

export function values(rows: readonly (readonly Expr[])[], schema: Schema): Values {
  for (const r of rows) if (r.length !== schema.length) throw new CompilerBug(`values row has ${r.length} columns, schema ${schema.length}`);
  return { kind: 'values', rows, schema };
}

/** Graph hops (see Expand); `schema` is the reached record id (text) and its depth (int4). */
export function expand(fields: Omit<Expand, 'kind'>): Expand {
  if (fields.minDepth < 0 || fields.maxDepth < fields.minDepth) throw new CompilerBug(`expand depth ${fields.minDepth}..${fields.maxDepth}`);
  if (fields.schema.length !== 2) throw new CompilerBug('expand outputs a record id and a depth');
  return { kind: 'expand', ...fields };
}

export function tableFunction(fn: string, args: readonly Expr[], schema: Schema, ordinality = false): TableFunction {
  if (schema.length !== (ordinality ? 2 : 1)) throw new CompilerBug(`table function ${fn} with ${schema.length} columns`);
  if (ordinality && schema[1]!.type.kind !== 'int64') throw new CompilerBug('ordinality column must be int8');
  return { kind: 'table-function', fn, args, ordinality, schema };
}

export function filter(input: LogicalPlan, predicate: Expr): Filter {
  if (predicate.type.kind !== 'bool' && predicate.type.kind !== 'null') throw new CompilerBug(`filter predicate of type ${predicate.type.kind}`);
  return { kind: 'filter', input, predicate, schema: input.schema };
}

export function project(input: LogicalPlan, items: readonly ProjectItem[]): Project {
  return { kind: 'project', input, items, schema: items.map((i) => i.column) };
}

/** Output schema per join type: semi/anti keep only the left; outer joins make the other side nullable. */
export function join(joinType: JoinType, left: LogicalPlan, right: LogicalPlan, condition?: Expr): Join {
  const nullableLeft = joinType === 'right' || joinType === 'full';
  const nullableRight = joinType === 'left' || joinType === 'full' || joinType === 'single';
  const schema: Schema =
    joinType === 'semi' || joinType === 'anti'
      ? left.schema
      : [
          ...left.schema.map((c) => (nullableLeft ? { ...c, nullable: true } : c)),
          ...right.schema.map((c) => (nullableRight ? { ...c, nullable: true } : c)),
        ];
  return { kind: 'join', joinType, left, right, ...(condition ? { condition } : {}), schema };
}

export function aggregate(input: LogicalPlan, groups: readonly GroupItem[], aggregates: readonly AggregateItem[]): Aggregate {
  return { kind: 'aggregate', input, groups, aggregates, schema: [...groups.map((g) => g.column), ...aggregates.map((a) => a.column)] };
}

export function window(input: LogicalPlan, windows: readonly WindowItem[]): Window {
  return { kind: 'window', input, windows, schema: [...input.schema, ...windows.map((w) => w.column)] };
}

export function sort(input: LogicalPlan, keys: readonly SortKey[]): Sort {
  return { kind: 'sort', input, keys, schema: input.schema };
}

export function limit(input: LogicalPlan, count?: Expr, offset?: Expr): Limit {
  return { kind: 'limit', input, ...(count ? { limit: count } : {}), ...(offset ? { offset } : {}), schema: input.schema };
}

export function distinct(input: LogicalPlan, on?: readonly Expr[]): Distinct {
  return { kind: 'distinct', input, ...(on ? { on } : {}), schema: input.schema };
}

export function setOp(op: SetOp['op'], all: boolean, left: LogicalPlan, right: LogicalPlan, schema: Schema): SetOp {
  if (left.schema.length !== schema.length || right.schema.length !== schema.length) throw new CompilerBug('set operation arity mismatch');
  return { kind: 'set-op', op, all, left, right, schema };
}

export function recursiveCte(cteId: number, name: string, all: boolean, anchor: LogicalPlan, recursive: LogicalPlan, schema: Schema): RecursiveCte {
  return { kind: 'recursive-cte', cteId, name, all, anchor, recursive, schema };
}

export function workTable(cteId: number, name: string, schema: Schema): WorkTable {
  return { kind: 'work-table', cteId, name, schema };
}

const returningSchema = (r: { items: readonly ProjectItem[] } | undefined): Schema => (r ? r.items.map((i) => i.column) : []);

export function insert(fields: Omit<Insert, 'kind' | 'schema'>): Insert {
  return { kind: 'insert', ...fields, schema: returningSchema(fields.returning) };
}

export function update(fields: Omit<Update, 'kind' | 'schema'>): Update {
  return { kind: 'update', ...fields, schema: returningSchema(fields.returning) };
}

export function del(fields: Omit<Delete, 'kind' | 'schema'>): Delete {
  return { kind: 'delete', ...fields, schema: returningSchema(fields.returning) };
}

/** Gap filling keeps its input's columns; filled columns become nullable (a NULL fill or no neighbour). */
export function gapFill(input: LogicalPlan, fields: Omit<GapFill, 'kind' | 'input' | 'schema'>): GapFill {
  if (!input.schema.some((c) => c.id === fields.time.id)) throw new CompilerBug('gap-fill time column missing from its input');
  if (!(fields.step > 0)) throw new CompilerBug(`gap-fill step ${fields.step}`);
  const filled = new Set(fields.fills.map((f) => f.column.id));
  return { kind: 'gap-fill', input, ...fields, schema: input.schema.map((c) => (filled.has(c.id) ? { ...c, nullable: true } : c)) };
}

export function liveQuery(input: LogicalPlan, table: string, diff: boolean): LiveQuery {
  return { kind: 'live', input, table, diff, schema: input.schema };
}

/** Rebuilds a node with new children, recomputing its schema; used by optimizer rules. */
export function withChildren(p: LogicalPlan, kids: readonly LogicalPlan[]): LogicalPlan {
  const [a, b] = kids;
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'table-function':
    case 'expand':
    case 'work-table':
      return p;
    case 'filter':
      return filter(a!, p.predicate);
    case 'project':
      return project(a!, p.items);
    case 'join':
      return join(p.joinType, a!, b!, p.condition);
    case 'aggregate':
      return aggregate(a!, p.groups, p.aggregates);
    case 'window':
      return window(a!, p.windows);
    case 'sort':
      return sort(a!, p.keys);
    case 'limit':
      return limit(a!, p.limit, p.offset);
    case 'distinct':
      return distinct(a!, p.on);
    case 'set-op':
      return setOp(p.op, p.all, a!, b!, p.schema);
    case 'recursive-cte':
      return recursiveCte(p.cteId, p.name, p.all, a!, b!, p.schema);
    case 'insert':
      return { ...p, source: a! };
    case 'update':
      return { ...p, input: a! };
    case 'delete':
      return { ...p, input: a! };
    case 'gap-fill':
      return gapFill(a!, { time: p.time, step: p.step, partition: p.partition, fills: p.fills });
    case 'live':
      return liveQuery(a!, p.table, p.diff);
  }
}
