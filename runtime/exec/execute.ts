// executeQuery: runs a PhysicalQuery against a StorageTxn and streams Arrow RecordBatches.

import type * as arrow from 'apache-arrow';
import type { ColumnId } from '../../compiler/ir/expr.ts';
import type { PhysicalPlan, PhysicalQuery } from '../../compiler/physical/plan.ts';
import { arrowSchema, chunkToBatch } from './arrow-types.ts';
import { preorder } from '../../compiler/explain/index.ts';
import { buildOperator } from './build.ts';
import { joinNeeds } from './needed.ts';
import { transientOutputs } from './transient.ts';
import type { ExecContext, OperatorStats, RunCtx } from './context.ts';
import { ExecError, fail } from './errors.ts';
import type { FnEnv } from './functions.ts';
import type { Operator } from './operators/operator.ts';
import { checkCancel, typesOf } from './operators/operator.ts';
import { type Chunk, concatChunks, emptyChunk, sliceChunk } from './vector.ts';

export const DEFAULT_BATCH_SIZE = 16384;

/**
 * The result of one statement: a synchronous iterator of RecordBatches (storage is synchronous,
 * so a sync pull loop avoids a promise per batch; wrap it in an async generator where a caller
 * needs to yield to the event loop). For writes, `rowCount` is the number of rows written once
 * the stream is consumed; for queries it is the number of rows returned so far.
 */
export class QueryStream implements IterableIterator<arrow.RecordBatch> {
  readonly schema: arrow.Schema;
  /** Rows written (INSERT/UPDATE/DELETE) or returned (queries) so far. */
  rowCount = 0;
  private op: Operator | undefined;
  private done = false;

  constructor(
    private readonly query: PhysicalQuery,
    private readonly rc: RunCtx,
  ) {
    this.schema = arrowSchema(query.plan.schema);
  }

  /** Whether the root is a write (its row count is the number of rows written). */
  get isWrite(): boolean {
    const k = this.query.plan.kind;
    return k === 'insert' || k === 'update' || k === 'delete';
  }

  /** Per-operator statistics by pre-order node index (present when `analyze` was set). */
  get stats(): ReadonlyMap<number, OperatorStats> | undefined {
    return this.rc.stats ?? undefined;
  }

  /** The next chunk in the executor's internal columnar form (skips the Arrow conversion). */
  nextChunk(): Chunk | null {
    if (this.done) return null;
    this.op ??= buildOperator(this.query.plan, this.rc);
    try {
      checkCancel(this.rc);
      const c = this.op.next();
      if (c === null) {
        this.finish();
        return null;
      }
      if (!this.isWrite) this.rowCount += c.length;
      return c;
    } catch (e) {
      this.done = true;
      this.op.close();
      throw e;
    }
  }

  next(): IteratorResult<arrow.RecordBatch> {
    const c = this.nextChunk();
    if (c === null) return { done: true, value: undefined };
    return { done: false, value: chunkToBatch(this.query.plan.schema, this.schema, c) };
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.isWrite) this.rowCount = (this.op as { affected?: number }).affected ?? 0;
    this.op?.close();
  }

  /** Stops early (releases storage iterators). */
  return(): IteratorResult<arrow.RecordBatch> {
    if (!this.done) {
      this.done = true;
      this.op?.close();
    }
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): IterableIterator<arrow.RecordBatch> {
    return this;
  }

  /** Runs to completion, returning every batch. */
  toArray(): arrow.RecordBatch[] {
    return [...this];
  }
}

/** EXPLAIN ANALYZE numbering (compiler/explain's `preorder`): main plan, then subplans by id. */
export function preorderIds(q: PhysicalQuery): Map<PhysicalPlan, number> {
  const ids = new Map<PhysicalPlan, number>();
  preorder(q).forEach((p, i) => {
    if (!ids.has(p)) ids.set(p, i);
  });
  return ids;
}

/** Runs a physical query; nothing executes until the stream is pulled. */
export function executeQuery(q: PhysicalQuery, ctx: ExecContext): QueryStream {
  const base: Omit<RunCtx, 'outer'> = {
    txn: ctx.txn,
    params: ctx.params,
    signal: ctx.signal,
    fnEnv: sequenceEnv(ctx),
    query: q,
    batchSize: ctx.batchSize ?? DEFAULT_BATCH_SIZE,
    compiled: new WeakMap(),
    selectors: new WeakMap(),
    joinNeeds: joinNeeds(q),
    transient: transientOutputs(q),
    stats: ctx.analyze ? new Map() : null,
    nodeIds: preorderIds(q),
    workTables: new Map(),
    subqueryCache: new Map(),
    runSubplan: (id, outer, maxRows) => runSubplan(withOuter(outer), id, maxRows),
  };
  const withOuter = (outer: ReadonlyMap<ColumnId, unknown>): RunCtx => ({ ...base, outer });
  return new QueryStream(q, withOuter(new Map()));
}

/** Statement facts for kernels: the fixed timestamp and sequences drawn through the transaction. */
function sequenceEnv(ctx: ExecContext): FnEnv {
  const last = new Map<string, bigint>();
  return {
    now: ctx.now,
    ...(ctx.system ? { system: ctx.system } : {}),
    nextval: (name) => {
      if (!ctx.txn.nextval) throw new ExecError('feature_not_supported', 'sequences are not supported by this storage');
      const v = ctx.txn.nextval(name);
      last.set(name, v);
      return v;
    },
    currval: (name) => last.get(name) ?? fail('object_not_in_prerequisite_state', `currval of sequence "${name}" is not yet defined in this session`),
  };
}

function runSubplan(rc: RunCtx, id: number, maxRows: number | undefined): Chunk {
  const plan = rc.query.subplans[id];
  if (!plan) throw new Error(`subplan ${id} is missing from the physical query`);
  const op = buildOperator(plan, rc);
  const out: Chunk[] = [];
  let n = 0;
  for (let c = op.next(); c !== null; c = op.next()) {
    out.push(c);
    n += c.length;
    if (maxRows !== undefined && n >= maxRows) break;
  }
  op.close();
  const types = typesOf(plan);
  if (out.length === 0) return emptyChunk(types);
  const all = concatChunks(types, out);
  return maxRows !== undefined && all.length > maxRows ? sliceChunk(all, 0, maxRows) : all;
}
