// Instantiates operators from physical plan nodes (exhaustively by kind), wrapping each in a
// statistics counter when EXPLAIN ANALYZE asks for it.

import type { PhysicalKind, PhysicalPlan } from '../../compiler/physical/plan.ts';
import type { OperatorStats, RunCtx } from './context.ts';
import type { Chunk } from './vector.ts';
import {
  AggregateOp, DeleteOp, DistinctOp, ExpandOp, FilterOp, GapFillOp, HashJoinOp, LiveOp, IndexScanOp, InsertOp, LimitOp, MergeJoinOp, NestedLoopJoinOp, type Operator, ProjectOp,
  RecursiveCteOp, SeqScanOp, SetOpOp, SortAggregateOp, SortOp, TableFunctionOp, TopNOp, UpdateOp, ValuesOp, WindowOp, WorkTableOp,
} from './operators/index.ts';

type Builders = { [K in PhysicalKind]: (p: Extract<PhysicalPlan, { kind: K }>, rc: RunCtx) => Operator };

const BUILDERS = {
  'seq-scan': (p, rc) => new SeqScanOp(p, rc),
  'index-scan': (p, rc) => new IndexScanOp(p, rc),
  values: (p, rc) => new ValuesOp(p, rc),
  'table-function': (p, rc) => new TableFunctionOp(p, rc),
  expand: (p, rc) => new ExpandOp(p, rc),
  filter: (p, rc) => new FilterOp(p, buildOperator(p.input, rc), rc),
  project: (p, rc) => new ProjectOp(p, buildOperator(p.input, rc), rc),
  'hash-join': (p, rc) => new HashJoinOp(p, buildOperator, rc),
  'merge-join': (p, rc) => new MergeJoinOp(p, buildOperator, rc),
  'nested-loop-join': (p, rc) => new NestedLoopJoinOp(p, buildOperator, rc),
  'hash-aggregate': (p, rc) => new AggregateOp(p, buildOperator(p.input, rc), rc),
  'sort-aggregate': (p, rc) => new SortAggregateOp(p, buildOperator(p.input, rc), rc),
  sort: (p, rc) => new SortOp(p, buildOperator(p.input, rc), rc),
  'top-n': (p, rc) => new TopNOp(p, buildOperator(p.input, rc), rc),
  limit: (p, rc) => new LimitOp(p, buildOperator(p.input, rc), rc),
  distinct: (p, rc) => new DistinctOp(p, buildOperator(p.input, rc), rc),
  'set-op': (p, rc) => new SetOpOp(p, buildOperator, rc),
  window: (p, rc) => new WindowOp(p, buildOperator(p.input, rc), rc),
  'recursive-cte': (p, rc) => new RecursiveCteOp(p, buildOperator, rc),
  'work-table': (p, rc) => new WorkTableOp(p, rc),
  insert: (p, rc) => new InsertOp(p, buildOperator, rc),
  update: (p, rc) => new UpdateOp(p, buildOperator, rc),
  delete: (p, rc) => new DeleteOp(p, buildOperator, rc),
  'gap-fill': (p, rc) => new GapFillOp(p, buildOperator(p.input, rc), rc),
  live: (p, rc) => new LiveOp(p, buildOperator(p.input, rc)),
} satisfies Builders;

/** Counts rows, batches and inclusive time of the operator it wraps. */
class Counted implements Operator {
  constructor(
    private readonly inner: Operator,
    private readonly stats: OperatorStats,
  ) {
    stats.loops++;
  }
  next(): Chunk | null {
    const t0 = performance.now();
    const c = this.inner.next();
    this.stats.timeMs += performance.now() - t0;
    if (c !== null) {
      this.stats.rows += c.length;
      this.stats.actualRows += c.length;
      this.stats.batches++;
    }
    return c;
  }
  close(): void {
    this.inner.close();
  }
  get affected(): number | undefined {
    return (this.inner as { affected?: number }).affected;
  }
}

/** Builds the operator for a plan node (lazy: nothing runs before the first `next()`). */
export function buildOperator(plan: PhysicalPlan, rc: RunCtx): Operator {
  const op = (BUILDERS[plan.kind] as (p: PhysicalPlan, rc: RunCtx) => Operator)(plan, rc);
  if (rc.stats === null) return op;
  const id = rc.nodeIds.get(plan);
  if (id === undefined) return op;
  let s = rc.stats.get(id);
  if (!s) {
    s = { rows: 0, actualRows: 0, batches: 0, timeMs: 0, loops: 0 };
    rc.stats.set(id, s);
  }
  return new Counted(op, s);
}
