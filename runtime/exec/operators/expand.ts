// Graph hops: the Expand operator, a breadth-first walk over an edge table's `in`/`out` indexes.

import type { IndexInfo, TableInfo } from '../../../compiler/catalog/index.ts';
import type { PExpand } from '../../../compiler/physical/plan.ts';
import { compileFilter, evalScalar, layoutOf } from '../compile.ts';
import type { RunCtx } from '../context.ts';
import { fail } from '../errors.ts';
import type { Selector } from '../fuse.ts';
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
 * least `minDepth`. A start that is an array of records walks from each of them and reports a record
 * reached from several once, at the least distance. With a `where` condition, a record reached that
 * fails it is neither reported nor walked on from. Rows come out by depth. The walk runs at the first
 * `next()`, within the statement's transaction, so it sees the statement's own earlier writes.
 */
export class ExpandOp implements Operator {
  private rows: { ids: string[]; depths: number[] } | undefined;
  private at = 0;
  private readonly keep: Selector | undefined;
  constructor(
    private readonly plan: PExpand,
    private readonly rc: RunCtx,
  ) {
    this.keep = plan.where ? compileFilter(plan.where, layoutOf(plan.schema), rc.fnEnv) : undefined;
  }

  private walk(): { ids: string[]; depths: number[] } {
    const start = evalScalar(this.plan.start, this.rc, this.rc.fnEnv);
    const starts = new Set(Array.isArray(start) ? start.filter((s): s is string => typeof s === 'string') : start === null || start === undefined ? [] : [String(start)]);
    const { edge, direction } = this.plan;
    const steps: Step[] = [];
    if (direction !== 'in') steps.push(stepOf(edge, 'in'));
    if (direction !== 'out') steps.push(stepOf(edge, 'out'));
    // Least distance of each record reported, over all the starts (in the order first reported).
    const best = new Map<string, number>();
    for (const s of starts) this.walkFrom(s, steps, best);
    const ids = [...best.keys()];
    const depths = ids.map((id) => best.get(id)!);
    if (starts.size > 1) {
      // Merged walks come out by depth too, then by id, so the order does not depend on the starts'.
      const order = ids.map((_, i) => i).sort((a, b) => depths[a]! - depths[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
      return { ids: order.map((i) => ids[i]!), depths: order.map((i) => depths[i]!) };
    }
    return { ids, depths };
  }

  /** One breadth-first walk from `start`, recording in `best` each record reported at a lesser distance. */
  private walkFrom(start: string, steps: readonly Step[], best: Map<string, number>): void {
    const seen = new Set<string>([start]);
    let frontier = [start];
    for (let depth = 1; depth <= this.plan.maxDepth && frontier.length > 0; depth++) {
      checkCancel(this.rc);
      let next: string[] = [];
      for (const node of frontier) {
        for (const step of steps) {
          for (const row of this.rc.txn.indexScan(this.plan.edge, step.index, [node])) {
            const far = row.values[step.far];
            if (typeof far !== 'string' || seen.has(far)) continue;
            seen.add(far);
            next.push(far);
          }
        }
      }
      if (this.keep && next.length > 0) next = this.kept(next, depth);
      if (depth >= this.plan.minDepth) {
        for (const id of next) {
          const known = best.get(id);
          if (known === undefined || depth < known) best.set(id, depth);
        }
      }
      frontier = next;
    }
  }

  /** The records of one level that meet the `where` condition, evaluated over the level as one chunk. */
  private kept(level: string[], depth: number): string[] {
    const [idCol, depthCol] = this.plan.schema;
    const chunk: Chunk = { columns: [vecFromValues(idCol!.type, level), vecFromValues(depthCol!.type, level.map(() => depth))], length: level.length };
    const { sel, n } = this.keep!(chunk, this.rc);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(level[sel[i]!]!);
    return out;
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
