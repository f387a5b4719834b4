// One activation: an actor instance, its mailbox (one turn at a time), its timers and its lifecycle phase.
import type { Actor, ActorKey } from './actor.ts';

/** `activating` until `onActivate` returns; `deactivating` once no new call may be routed to it. */
export type Phase = 'activating' | 'live' | 'deactivating' | 'closed';

/** A unit of work run by the mailbox; it settles its own caller and never rejects. */
export type Turn = () => Promise<void>;

export class Activation {
  phase: Phase = 'activating';
  /** Set when activation failed: queued calls receive it instead of running. */
  failure: unknown;
  /** Time of the last call routed here (timers and reminders do not count: they must not keep it alive). */
  lastUsed = Date.now();
  /** The runtime's call count when this activation last moved to the end of its LRU order (0: never). */
  moved = 0;
  readonly timers = new Set<{ cancel(): void }>();
  private queue: ({ turn: Turn; reentrant: boolean } | undefined)[] = [];
  private head = 0;
  /** A non-reentrant turn is in progress: the mailbox waits for it. */
  private running = false;
  private reentrant = 0;
  private drainedWaiters: (() => void)[] = [];

  constructor(
    readonly id: string,
    readonly instance: Actor<unknown>,
    readonly key: ActorKey | undefined,
  ) {}

  /** Turns waiting in the mailbox. */
  get depth(): number {
    return this.queue.length - this.head;
  }

  /** Anything queued or running (an idle activation may be deactivated). */
  get busy(): boolean {
    return this.running || this.reentrant > 0 || this.head < this.queue.length;
  }

  /**
   * Appends a turn; it starts when every earlier non-reentrant turn has finished. A reentrant one
   * (queued while the activation was still activating) then starts without holding the mailbox.
   */
  post(turn: Turn, reentrant = false): void {
    this.queue.push({ turn, reentrant });
    if (!this.running) this.pump();
  }

  /** Starts a reentrant turn now, interleaving at its awaits with whatever turn is running. */
  interleave(turn: Turn): void {
    this.reentrant++;
    void turn().then(() => {
      if (--this.reentrant === 0) for (const w of this.drainedWaiters.splice(0)) w();
    });
  }

  /** Resolves once no reentrant turn is in flight (deactivation waits for them). */
  reentrantDrained(): Promise<void> {
    if (this.reentrant === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  private pump(): void {
    let item = this.queue[this.head];
    while (item?.reentrant) {
      this.queue[this.head++] = undefined;
      this.interleave(item.turn);
      item = this.queue[this.head];
    }
    if (!item) {
      this.queue = [];
      this.head = 0;
      return;
    }
    const turn = item.turn;
    this.queue[this.head++] = undefined;
    // Drop the consumed prefix now and then, so a mailbox that never empties does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.running = true;
    void turn().then(() => {
      this.running = false;
      this.pump();
    });
  }
}
