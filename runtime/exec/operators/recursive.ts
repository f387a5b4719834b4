// WITH RECURSIVE: the anchor's rows, then rounds of the recursive term over the previous round
// (exposed to work-table nodes) until a round adds nothing; UNION drops rows already produced.

import type { PRecursiveCte } from '../../../compiler/physical/plan.ts';
import type { RunCtx } from '../context.ts';
import { KeyTable } from '../keys.ts';
import { type Chunk, gatherChunk } from '../vector.ts';
import { type BuildFn, type Operator, checkCancel } from './operator.ts';

export class RecursiveCteOp implements Operator {
  private current: Operator | undefined;
  private round: Chunk[] = [];
  private readonly seen: KeyTable;
  private anchorDone = false;
  constructor(
    private readonly plan: PRecursiveCte,
    private readonly build: BuildFn,
    private readonly rc: RunCtx,
  ) {
    this.seen = new KeyTable(plan.schema.length);
  }
  private dedupe(c: Chunk): Chunk | null {
    if (this.plan.all) return c;
    const before = this.seen.size;
    const ids = this.seen.ids(c.columns, c.length, true);
    const sel = new Uint32Array(c.length);
    let n = 0;
    let next = before;
    for (let i = 0; i < c.length; i++) {
      if (ids[i]! >= next) {
        sel[n++] = i;
        next = ids[i]! + 1;
      }
    }
    if (n === 0) return null;
    return n === c.length ? c : gatherChunk(c, sel, n);
  }
  next(): Chunk | null {
    for (;;) {
      checkCancel(this.rc);
      if (!this.current) this.current = this.build(this.plan.anchor, this.rc);
      const c = this.current.next();
      if (c !== null) {
        const d = this.dedupe(c);
        if (d === null) continue;
        this.round.push(d);
        return d;
      }
      this.current.close();
      if (this.anchorDone && this.round.length === 0) return null;
      this.anchorDone = true;
      if (this.round.length === 0) return null;
      // Start the next round over the rows the last one produced.
      this.rc.workTables.set(this.plan.cteId, this.round);
      this.round = [];
      this.current = this.build(this.plan.recursive, this.rc);
    }
  }
  close(): void {
    this.current?.close();
  }
}
