// The physical operators: one class per algorithm, instantiated from plan nodes by build.ts.

export type { BuildFn, Operator } from './operator.ts';
export { AggregateOp, SortAggregateOp } from './aggregate.ts';
export { GapFillOp, LiveOp } from './fill.ts';
export { DistinctOp, FilterOp, LimitOp, ProjectOp, SetOpOp } from './basic.ts';
export { HashJoinOp, MergeJoinOp, NestedLoopJoinOp } from './join.ts';
export { ExpandOp } from './expand.ts';
export { RecursiveCteOp } from './recursive.ts';
export { IndexScanOp, SeqScanOp, TableFunctionOp, ValuesOp, WorkTableOp } from './scan.ts';
export { SortOp, TopNOp } from './sort.ts';
export { WindowOp } from './window.ts';
export { DeleteOp, InsertOp, UpdateOp, type WriteOperator } from './write.ts';
