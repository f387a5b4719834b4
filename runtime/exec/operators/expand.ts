// Graph hops: the Expand operator, a breadth-first walk over an edge table's `in`/`out` indexes.

import type { IndexInfo, TableInfo } from '../../../compiler/catalog/index.ts';
import type { PExpand } from '../../../compiler/physical/plan.ts';
import { evalScalar } from '../compile.ts';
import type { RunCtx } from '../context.ts';
import { fail } from '../errors.ts';
import { type Chunk, vecFromValues } from '../vector.ts';
import { type Operator, checkCancel } from './operator.ts';

/** How to step one way along an edge table: the index whose first column is the side we stand on. */
interface Step {
  readonly index: string;
  /** Ordinal of the column holding the record on the far side. */
  readonly far: number;
}

function stepOf(edge: TableInfo, from: 'in' | 'out'): Step {
  const to = from === 'in' ? 'out' : 'in';
  const index: IndexInfo | undefined = edge.indexes.find((i) => i.columns[0] === from);
  const far = edge.columns.find((c) => c.name === to);
  if (!index || !far) return fail('object_not_in_prerequisite_state', `"${edge.name}" is not an edge table (it needs "in" and "out" columns, each indexed)`);
  return { index: index.name, far: far.ordinal };
}

/**
 * Walks from the start record breadth first, `maxDepth` hops at most; each record is reached once, at
 * its shortest distance (the start is never reported again), and reported when that distance is at
 * least `minDepth`. Rows come out by depth. The walk runs at the first `next()`, within the
 * statement's transaction, so it sees the statement's own earlier writes.
 */
export class ExpandOp implements Operator {
  private rows: { ids: string[]; depths: number[] } | undefined;
  private at = 0;
  constructor(
    private readonly plan: PExpand,
    private readonly rc: RunCtx,
  ) {}

  private walk(): { ids: string[]; depths: number[] } {
    const ids: string[] = [];
    const depths: number[] = [];
    const start = evalScalar(this.plan.start, this.rc, this.rc.fnEnv);
    if (start === null || start === undefined) return { ids, depths };
    const { edge, direction } = this.plan;
    const steps: Step[] = [];
    if (direction !== 'in') steps.push(stepOf(edge, 'in'));
    if (direction !== 'out') steps.push(stepOf(edge, 'out'));
    const seen = new Set<string>([String(start)]);
    let frontier = [String(start)];
    for (let depth = 1; depth <= this.plan.maxDepth && frontier.length > 0; depth++) {
      checkCancel(this.rc);
      const next: string[] = [];
      for (const node of frontier) {
        for (const step of steps) {
          for (const row of this.rc.txn.indexScan(edge, step.index, [node])) {
            const far = row.values[step.far];
            if (typeof far !== 'string' || seen.has(far)) continue;
            seen.add(far);
            next.push(far);
            if (depth >= this.plan.minDepth) {
              ids.push(far);
              depths.push(depth);
            }
          }
        }
      }
      frontier = next;
    }
    return { ids, depths };
  }

  next(): Chunk | null {
    this.rows ??= this.walk();
    const { ids, depths } = this.rows;
    if (this.at >= ids.length) return null;
    const end = Math.min(ids.length, this.at + this.rc.batchSize);
    const [idCol, depthCol] = this.plan.schema;
    const chunk: Chunk = {
      columns: [vecFromValues(idCol!.type, ids.slice(this.at, end)), vecFromValues(depthCol!.type, depths.slice(this.at, end))],
      length: end - this.at,
    };
    this.at = end;
    return chunk;
  }

  close(): void {}
}
