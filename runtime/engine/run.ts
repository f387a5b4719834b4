// Runs a physical query through the executor and hands back row batches in the IR's value conventions.
import type { PhysicalQuery } from '../../compiler/index.ts';
import { executeQuery, type OperatorStats } from '../exec/index.ts';
import { valueAt } from '../exec/vector.ts';
import type { StorageTxn } from '../storage/api.ts';
import type { RowBatch } from './result.ts';
import type { SystemViews } from './system-views.ts';

export interface RunOptions {
  readonly txn: StorageTxn;
  readonly params: readonly unknown[];
  readonly signal?: AbortSignal;
  /** Statement timestamp in µs since the epoch. */
  readonly now: number;
  readonly analyze?: boolean;
  /** The session's system views and facts: scans of pg_catalog/information_schema and system functions. */
  readonly system?: SystemViews;
}

function execContext(o: RunOptions) {
  return {
    txn: o.system ? o.system.wrap(o.txn) : o.txn,
    params: o.params,
    now: o.now,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.analyze ? { analyze: true } : {}),
    ...(o.system ? { system: o.system.facts } : {}),
  };
}

export interface Run {
  /** Batches as they are produced; the loop yields to the event loop between batches so cancels land. */
  readonly batches: AsyncIterable<RowBatch>;
  /** Rows written, for writes (after the batches are consumed); undefined for queries. */
  affected(): number | undefined;
  stats(): ReadonlyMap<number, OperatorStats> | undefined;
}

export function runPlan(q: PhysicalQuery, o: RunOptions): Run {
  const stream = executeQuery(q, execContext(o));
  async function* batches(): AsyncGenerator<RowBatch> {
    let pulled = 0;
    try {
      for (let c = stream.nextChunk(); c !== null; c = stream.nextChunk()) {
        const columns = c.columns.map((v) => {
          const out = new Array<unknown>(c.length);
          for (let i = 0; i < c.length; i++) out[i] = valueAt(v, i);
          return out;
        });
        yield { length: c.length, columns };
        // Let timers and cancel requests run between batches of long results.
        if (++pulled % 8 === 0) await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      stream.return();
    }
  }
  return {
    batches: batches(),
    affected: () => (stream.isWrite ? stream.rowCount : undefined),
    stats: () => stream.stats,
  };
}

/** Runs a write plan without RETURNING to completion, synchronously; returns the rows it wrote (COPY FROM's per-row INSERT). */
export function runWrite(q: PhysicalQuery, o: RunOptions): number {
  const stream = executeQuery(q, execContext(o));
  try {
    while (stream.nextChunk() !== null) {
      // A write without RETURNING yields no rows; draining runs it.
    }
    return stream.rowCount;
  } finally {
    stream.return();
  }
}
