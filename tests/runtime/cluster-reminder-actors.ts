// Actors the reminder failover test's nodes host: a Ticker whose saved state records every reminder it received, and where.
import { Actor } from '../../runtime/index.ts';

/** One delivered reminder: its name, the node it ran on and when (ms since the epoch). */
export interface Fire {
  readonly name: string;
  readonly node: string;
  readonly at: number;
}

/** Keeps a periodic `tick` and one-shot alarms; every delivery is appended to its saved state with the node that ran it. */
export class Ticker extends Actor<{ fires: Fire[] }> {
  static readonly type = 'Ticker';
  override state = { fires: [] as Fire[] };

  /** Registers the periodic reminder `tick`; resolves with the time just before (its k-th due time is at least k periods later). */
  async start(periodMs: number): Promise<number> {
    const at = Date.now();
    await this.registerReminder('tick', periodMs, periodMs);
    return at;
  }

  /** A one-shot reminder. */
  async alarm(name: string, dueMs: number): Promise<void> {
    await this.registerReminder(name, dueMs);
  }

  async stop(name: string): Promise<void> {
    await this.unregisterReminder(name);
  }

  /** Every delivery so far, as saved. */
  async fires(): Promise<Fire[]> {
    return this.state.fires;
  }

  override async onReminder(name: string): Promise<void> {
    this.state.fires.push({ name, node: process.env['ORBIT_NODE_ID'] ?? '', at: Date.now() });
    await this.save();
  }
}
