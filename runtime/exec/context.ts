// Per-statement execution state shared by operators and compiled expressions.

import type { JoinNeeds } from './needed.ts';
import type { ColumnId, Expr } from '../../compiler/ir/expr.ts';
import type { PhysicalPlan, PhysicalQuery } from '../../compiler/physical/plan.ts';
import type { StorageTxn } from '../storage/api.ts';
import type { FnEnv, SystemFacts } from './functions.ts';
import type { Selector } from './fuse.ts';
import type { Chunk, Vec } from './vector.ts';

/** What a caller supplies to run one statement. */
export interface ExecContext {
  readonly txn: StorageTxn;
  /** Values of $1…$n, following the IR value conventions of `PhysicalQuery.params` types. */
  readonly params: readonly unknown[];
  /** Checked between batches; an aborted statement fails with SQLSTATE 57014. */
  readonly signal?: AbortSignal;
  /** Statement timestamp (µs since epoch) that now()/current_date read; fixed per statement. */
  readonly now: number;
  /** Collect per-operator statistics (EXPLAIN ANALYZE). */
  readonly analyze?: boolean;
  /** Rows per batch (default 16384). */
  readonly batchSize?: number;
  /** Session facts for current_user, current_setting() and the other system functions. */
  readonly system?: SystemFacts;
}

/**
 * Actual figures of one operator, keyed by pre-order node index (EXPLAIN ANALYZE). The map can be
 * passed as is to compiler/explain's `actual` option (`actualRows` mirrors `rows`).
 */
export interface OperatorStats {
  rows: number;
  actualRows: number;
  batches: number;
  /** Inclusive wall time in milliseconds (children's time included, as PostgreSQL reports it). */
  timeMs: number;
  /** Times the operator was started (re-runs of correlated subplans count each). */
  loops: number;
}

/** A compiled expression: evaluates over a chunk of its input, column-at-a-time. */
export type Evaluator = (c: Chunk, rc: RunCtx) => Vec;

/** Statement-wide state; `outer` changes for each run of a correlated subplan. */
export interface RunCtx {
  readonly txn: StorageTxn;
  readonly params: readonly unknown[];
  readonly signal: AbortSignal | undefined;
  readonly fnEnv: FnEnv;
  readonly query: PhysicalQuery;
  readonly batchSize: number;
  /** Values of outer columns a correlated subplan reads. */
  readonly outer: ReadonlyMap<ColumnId, unknown>;
  /** Compiled evaluators by plan node and expression: compile once per statement. */
  readonly compiled: WeakMap<PhysicalPlan, Map<Expr, Evaluator>>;
  /** Compiled filters by plan node (a node has at most one). */
  readonly selectors: WeakMap<PhysicalPlan, Selector>;
  /** The output columns each join's consumers read, when not all (see needed.ts). */
  readonly joinNeeds: JoinNeeds;
  /** Nodes whose output chunks are dead once their consumer pulls again (see transient.ts). */
  readonly transient: ReadonlySet<PhysicalPlan>;
  readonly stats: Map<number, OperatorStats> | null;
  readonly nodeIds: Map<PhysicalPlan, number>;
  /** Rows of the last round of each recursive CTE, read by work-table nodes. */
  readonly workTables: Map<number, Chunk[]>;
  /** Runs a planned subquery for one outer binding, returning up to `maxRows` rows (all when undefined). */
  runSubplan(id: number, outer: ReadonlyMap<ColumnId, unknown>, maxRows?: number): Chunk;
  /** Cache of subquery results by subquery id and outer binding key. */
  readonly subqueryCache: Map<number, Map<string, unknown>>;
}
