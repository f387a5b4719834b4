// Adaptive busy polling: after a request, keep the event loop turning briefly instead of sleeping.

/** How long the loop keeps turning after a request, by default. */
export const DEFAULT_BUSY_POLL_MICROS = 200;
/** After a spell that caught no request, no new spell starts for this long (ms). */
const QUIET_MS = 20;

/**
 * A client in a tight request loop (a pgbench connection, an application's next query) sends its
 * next request a few tens of microseconds after our reply. When the thread has gone to sleep in the
 * meantime, that request first has to wake it: on a virtual machine an interrupt to an idle vCPU, a
 * cost paid on every round trip. After each request this keeps the event loop turning (a chain of
 * `setImmediate` callbacks; between two of them the loop polls its sockets without blocking) for
 * `micros`, so such a request is read at once. Every other event is served as usual meanwhile.
 *
 * The spell ends once nothing has arrived for `micros`. A spell that caught no request means the
 * traffic is sparser than that, and none starts for the next 20 ms: a quiet server spends at most
 * `micros` of CPU per 20 ms on polling (1% of a core at 200 µs). Traffic that keeps arriving within
 * `micros` keeps a core turning: the price of the shorter round trip. With `micros` 0 it is off.
 */
export class BusyPoll {
  private readonly windowMs: number;
  private last = 0;
  private spinning = false;
  /** A request arrived during the current spell (besides the one that started it). */
  private caught = false;
  private quietUntil = 0;

  constructor(
    micros: number,
    private readonly quietMs = QUIET_MS,
  ) {
    this.windowMs = micros / 1000;
  }

  /** The loop is being kept turning. */
  get polling(): boolean {
    return this.spinning;
  }

  /** A request arrived. */
  activity(): void {
    if (this.windowMs <= 0) return;
    const now = performance.now();
    this.last = now;
    if (this.spinning) {
      this.caught = true;
      return;
    }
    if (now < this.quietUntil) return;
    this.spinning = true;
    this.caught = false;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    const now = performance.now();
    if (now - this.last < this.windowMs) {
      setImmediate(this.turn);
      return;
    }
    this.spinning = false;
    if (!this.caught) this.quietUntil = now + this.quietMs;
  };
}

/** The `busyPollMicros` setting of a listener: a whole number of microseconds, 0 for off. */
export function busyPollSetting(settings: Readonly<Record<string, unknown>>): number {
  const v = settings['busyPollMicros'];
  if (v === undefined) return DEFAULT_BUSY_POLL_MICROS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 10_000) throw new Error(`busyPollMicros must be a whole number of microseconds from 0 to 10000, not ${JSON.stringify(v)}`);
  return v;
}
