// Physical plan descriptions: the optimizer's chosen algorithms, as data the executor instantiates.
//
// Expressions are the IR's `Expr`. A `Subquery` expression left in a plan (one decorrelation
// could not remove) is executed from `PhysicalQuery.subplans[subquery.id]`, re-run per outer row
// when its `correlated` list is non-empty, otherwise once.

import type { AggregateItem, Expand, GapFill, GroupItem, JoinType, ProjectItem, Returning, ScanColumn, WindowItem, WriteConstraints } from '../ir/plan.ts';
import type { Expr, Schema, SortKey } from '../ir/expr.ts';
import type { DataType } from '../ir/types.ts';
import type { IndexInfo, TableInfo } from '../catalog/index.ts';

/** The cost model's estimate for a node: output rows and cumulative cost (abstract units). */
export interface Estimate {
  readonly rows: number;
  readonly cost: number;
}

interface Base {
  readonly schema: Schema;
  readonly est: Estimate;
}

export interface SeqScan extends Base {
  readonly kind: 'seq-scan';
  readonly table: TableInfo;
  readonly alias: string;
  readonly columns: readonly ScanColumn[];
  /** A predicate evaluated on each batch as it is read. */
  readonly filter?: Expr;
}

/** Point lookup or range scan over an index: equality on a key prefix, then an optional range. */
export interface IndexScan extends Base {
  readonly kind: 'index-scan';
  readonly table: TableInfo;
  readonly alias: string;
  readonly index: IndexInfo;
  readonly columns: readonly ScanColumn[];
  readonly eq: readonly Expr[];
  readonly range?: { readonly low?: { readonly expr: Expr; readonly inclusive: boolean }; readonly high?: { readonly expr: Expr; readonly inclusive: boolean } };
  readonly filter?: Expr;
}

export interface PValues extends Base {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
}

export interface PTableFunction extends Base {
  readonly kind: 'table-function';
  readonly fn: string;
  readonly args: readonly Expr[];
  /** Whether `schema` ends with an int8 row number (see the logical TableFunction). */
  readonly ordinality: boolean;
}

/** Graph hops over an edge table's `in`/`out` indexes (see the logical Expand). */
export interface PExpand extends Base, Pick<Expand, 'edge' | 'direction' | 'start' | 'minDepth' | 'maxDepth' | 'where'> {
  readonly kind: 'expand';
}

export interface PFilter extends Base {
  readonly kind: 'filter';
  readonly input: PhysicalPlan;
  readonly predicate: Expr;
}

export interface PProject extends Base {
  readonly kind: 'project';
  readonly input: PhysicalPlan;
  readonly items: readonly ProjectItem[];
}

/** Builds a hash table on `right` (keys `rightKeys`), probes with `left`; `residual` is checked on each key match. */
export interface HashJoin extends Base {
  readonly kind: 'hash-join';
  readonly joinType: JoinType;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  readonly residual?: Expr;
}

/** Both inputs arrive sorted ascending on their keys. */
export interface MergeJoin extends Base {
  readonly kind: 'merge-join';
  readonly joinType: JoinType;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly leftKeys: readonly Expr[];
  readonly rightKeys: readonly Expr[];
  readonly residual?: Expr;
}

export interface NestedLoopJoin extends Base {
  readonly kind: 'nested-loop-join';
  readonly joinType: JoinType;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
  readonly condition?: Expr;
}

export interface HashAggregate extends Base {
  readonly kind: 'hash-aggregate';
  readonly input: PhysicalPlan;
  readonly groups: readonly GroupItem[];
  readonly aggregates: readonly AggregateItem[];
}

/** Input arrives sorted on the group expressions. */
export interface SortAggregate extends Base {
  readonly kind: 'sort-aggregate';
  readonly input: PhysicalPlan;
  readonly groups: readonly GroupItem[];
  readonly aggregates: readonly AggregateItem[];
}

export interface PSort extends Base {
  readonly kind: 'sort';
  readonly input: PhysicalPlan;
  readonly keys: readonly SortKey[];
}

/** Sort + limit fused: keeps only offset+limit rows in a heap. */
export interface TopN extends Base {
  readonly kind: 'top-n';
  readonly input: PhysicalPlan;
  readonly keys: readonly SortKey[];
  readonly limit: Expr;
  readonly offset?: Expr;
}

export interface PLimit extends Base {
  readonly kind: 'limit';
  readonly input: PhysicalPlan;
  readonly limit?: Expr;
  readonly offset?: Expr;
}

export interface PDistinct extends Base {
  readonly kind: 'distinct';
  readonly input: PhysicalPlan;
  readonly on?: readonly Expr[];
}

export interface PSetOp extends Base {
  readonly kind: 'set-op';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: PhysicalPlan;
  readonly right: PhysicalPlan;
}

export interface PWindow extends Base {
  readonly kind: 'window';
  readonly input: PhysicalPlan;
  readonly windows: readonly WindowItem[];
}

export interface PRecursiveCte extends Base {
  readonly kind: 'recursive-cte';
  readonly cteId: number;
  readonly name: string;
  readonly all: boolean;
  readonly anchor: PhysicalPlan;
  readonly recursive: PhysicalPlan;
}

export interface PWorkTable extends Base {
  readonly kind: 'work-table';
  readonly cteId: number;
  readonly name: string;
}

export interface PInsert extends Base {
  readonly kind: 'insert';
  readonly table: TableInfo;
  readonly targetOrdinals: readonly number[];
  readonly defaults: readonly { readonly ordinal: number; readonly expr: Expr }[];
  readonly source: PhysicalPlan;
  readonly onConflict?: import('../ir/plan.ts').Insert['onConflict'];
  readonly rowColumns: readonly ScanColumn[];
  readonly returning?: Returning;
  readonly constraints?: WriteConstraints;
}

export interface PUpdate extends Base {
  readonly kind: 'update';
  readonly table: TableInfo;
  readonly input: PhysicalPlan;
  readonly rowColumns: readonly ScanColumn[];
  readonly rowId: number;
  readonly assignments: readonly { readonly ordinal: number; readonly expr: Expr }[];
  readonly returning?: Returning;
  readonly constraints?: WriteConstraints;
}

export interface PDelete extends Base {
  readonly kind: 'delete';
  readonly table: TableInfo;
  readonly input: PhysicalPlan;
  readonly rowColumns: readonly ScanColumn[];
  readonly rowId: number;
  readonly returning?: Returning;
  readonly constraints?: WriteConstraints;
}

/** Gap filling (see the logical GapFill): fills missing time buckets of an aggregate's output. */
export interface PGapFill extends Base, Pick<GapFill, 'time' | 'step' | 'partition' | 'fills'> {
  readonly kind: 'gap-fill';
  readonly input: PhysicalPlan;
}

/** A live query's plan: shown by EXPLAIN; executing it in a statement fails (delivery is a push channel's). */
export interface PLive extends Base {
  readonly kind: 'live';
  readonly input: PhysicalPlan;
  readonly table: string;
  readonly diff: boolean;
}

export type PhysicalPlan =
  | SeqScan
  | IndexScan
  | PValues
  | PTableFunction
  | PExpand
  | PFilter
  | PProject
  | HashJoin
  | MergeJoin
  | NestedLoopJoin
  | HashAggregate
  | SortAggregate
  | PSort
  | TopN
  | PLimit
  | PDistinct
  | PSetOp
  | PWindow
  | PRecursiveCte
  | PWorkTable
  | PInsert
  | PUpdate
  | PDelete
  | PGapFill
  | PLive;

export type PhysicalKind = PhysicalPlan['kind'];

/** A planned query statement: the root, the subplans of remaining subquery expressions, parameter types. */
export interface PhysicalQuery {
  readonly plan: PhysicalPlan;
  readonly subplans: Readonly<Record<number, PhysicalPlan>>;
  readonly params: readonly DataType[];
}
