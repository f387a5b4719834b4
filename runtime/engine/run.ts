// Runs a physical query through the executor and hands back row batches in the IR's value conventions.
import type { PhysicalQuery } from '../../compiler/index.ts';
import { executeQuery, type OperatorStats } from '../exec/index.ts';
import { valueAt } from '../exec/vector.ts';
import type { StorageTxn } from '../storage/api.ts';
import type { RowBatch } from './result.ts';

export interface RunOptions {
  readonly txn: StorageTxn;
  readonly params: readonly unknown[];
  readonly signal?: AbortSignal;
  /** Statement timestamp in µs since the epoch. */
  readonly now: number;
  readonly analyze?: boolean;
}

export interface Run {
  /** Batches as they are produced; the loop yields to the event loop between batches so cancels land. */
  readonly batches: AsyncIterable<RowBatch>;
  /** Rows written, for writes (after the batches are consumed); undefined for queries. */
  affected(): number | undefined;
  stats(): ReadonlyMap<number, OperatorStats> | undefined;
}

export function runPlan(q: PhysicalQuery, o: RunOptions): Run {
  const stream = executeQuery(q, { txn: o.txn, params: o.params, now: o.now, ...(o.signal ? { signal: o.signal } : {}), ...(o.analyze ? { analyze: true } : {}) });
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
