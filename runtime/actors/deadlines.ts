// Deadlines of calls in flight (actor calls here, calls to peer nodes in runtime/cluster), swept by
// one timer instead of a timer per call.

/** Call deadlines are kept in slots this wide, swept by one timer. */
const DEADLINE_TICK_MS = 25;

/**
 * Deadlines of calls in flight, bucketed by slot of DEADLINE_TICK_MS and swept by one interval
 * timer while any is pending: a timer per call costs more than a trivial call itself. A deadline
 * fires at its slot's end, never before the deadline and at most one tick after it.
 */
export class Deadlines {
  private readonly slots = new Map<number, Set<() => void>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending = 0;

  /** Runs `expire` once `at` (epoch ms) has passed, unless removed first; returns the slot to remove it from. */
  add(at: number, expire: () => void): number {
    const slot = Math.ceil(at / DEADLINE_TICK_MS);
    let set = this.slots.get(slot);
    if (set === undefined) this.slots.set(slot, (set = new Set()));
    set.add(expire);
    this.pending++;
    this.timer ??= setInterval(() => this.sweep(), DEADLINE_TICK_MS);
    return slot;
  }

  remove(slot: number, expire: () => void): void {
    const set = this.slots.get(slot);
    if (set?.delete(expire)) {
      this.pending--;
      // The timer stops at its next sweep if nothing is pending then: stopping it here would
      // restart it on the next call.
      if (set.size === 0) this.slots.delete(slot);
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [slot, set] of this.slots) {
      if (slot * DEADLINE_TICK_MS > now) continue;
      this.slots.delete(slot);
      this.pending -= set.size;
      for (const expire of set) expire();
    }
    if (this.pending === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
