// Durable reminders in a cluster: records in etcd that every node watches, each occurrence fired once cluster-wide.
//
// A reminder is `/orbit/reminders/<type>/<key>/<name>` = `{"due": ms, "period": ms | null}` (no
// lease: it outlives every node). Every node lists and watches the prefix and keeps a timer per
// reminder. When one is due, a node first advances it in etcd with a transaction that succeeds only
// if the record's mod_revision is still the one it saw, and only the node whose transaction
// succeeded delivers that occurrence, as an `onReminder(name)` call routed like any other (it runs
// where the actor is hosted, or activates it where placement says). A periodic reminder advances to
// its next due time (missed periods are skipped, the phase kept); a one-shot one is pushed back by a
// redelivery delay and deleted once its turn has run, so a node that dies while delivering it leaves
// it to fire again from a survivor (at least once, as in a single process).
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { ActorError, type ActorKey, type ActorReminderStore, type ReminderRecord } from '../actors/index.ts';
import { keyText, parseKeyText } from './codec.ts';
import { PREFIX } from './membership.ts';

/** What the reminder table needs of its node. */
export interface ReminderHost {
  /** Whether this node has the actor class registered (it cannot deliver reminders of other types). */
  knows(type: string): boolean;
  /**
   * Whether this node should try first when the reminder is due: it hosts the actor, or placement
   * would activate it here. The others wait `BACKUP_DELAY_MS` and find the occurrence taken.
   */
  first(type: string, key: ActorKey): boolean;
  /** Runs `onReminder(name)` on the actor, routed like any call. */
  deliver(type: string, key: ActorKey, name: string): Promise<unknown>;
  onError(error: unknown, where: string): void;
}

/** How long nodes that are not first wait past a due time before trying it themselves (the first may be dead or slow). */
const BACKUP_DELAY_MS = 1_000;
/** setTimeout's longest delay; reminders due later re-arm in steps. */
const MAX_DELAY = 2 ** 31 - 1;

/** A reminder as this node last saw it in etcd. */
interface Entry extends ReminderRecord {
  /** The record's mod_revision: the compare of the transaction that takes an occurrence. */
  readonly mod: string;
}

const recordKey = (type: string, key: ActorKey, name: string): string =>
  `${PREFIX.reminders}${encodeURIComponent(type)}/${keyText(key)}/${encodeURIComponent(name)}`;

/** The stored value of a reminder. */
function recordValue(due: number, period: number | undefined): string {
  return JSON.stringify({ due, period: period !== undefined && period > 0 ? period : null });
}

/** A record read from etcd, or undefined for one this version cannot read. */
function parseEntry(kv: IKeyValue): Entry | undefined {
  const parts = kv.key.toString().slice(PREFIX.reminders.length).split('/');
  if (parts.length !== 3) return undefined;
  const key = parseKeyText(parts[1]!);
  if (key === undefined) return undefined;
  try {
    const v = JSON.parse(kv.value.toString()) as { due?: unknown; period?: unknown };
    if (typeof v.due !== 'number' || !Number.isFinite(v.due)) return undefined;
    const period = typeof v.period === 'number' && v.period > 0 ? v.period : undefined;
    return { type: decodeURIComponent(parts[0]!), key, name: decodeURIComponent(parts[2]!), due: v.due, period, mod: String(kv.mod_revision) };
  } catch {
    return undefined;
  }
}

/** The cluster's reminders as one node sees, stores and fires them. */
export class ClusterReminders implements ActorReminderStore {
  private readonly entries = new Map<string, Entry>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private watcher: Watcher | undefined;
  private host: ReminderHost | undefined;
  private closed = false;

  /**
   * @param redeliverMs how long a one-shot occurrence is held by the node delivering it before
   *   another may deliver it again (longer than any delivery can take, retry included)
   */
  constructor(
    private readonly client: Etcd3,
    private readonly redeliverMs: number,
  ) {}

  /** Stores the reminder; every node's watch schedules it. */
  async putReminder(r: ReminderRecord): Promise<void> {
    await this.client.put(recordKey(r.type, r.key, r.name)).value(recordValue(r.due, r.period));
  }

  /** Deletes the reminder; every node's watch drops its timer. */
  async removeReminder(type: string, key: ActorKey, name: string): Promise<void> {
    await this.client.delete().key(recordKey(type, key, name));
  }

  /** Lists the stored reminders, schedules them and follows changes from then on. */
  async start(host: ReminderHost): Promise<void> {
    this.host = host;
    await this.follow();
  }

  private async follow(): Promise<void> {
    const listing = await this.client.getAll().prefix(PREFIX.reminders).exec();
    if (this.closed) return;
    const seen = new Set<string>();
    for (const kv of listing.kvs) {
      seen.add(kv.key.toString());
      this.apply(kv, false);
    }
    // After a resync, records deleted while the watch was down are gone from the listing.
    for (const k of [...this.entries.keys()]) if (!seen.has(k)) this.drop(k);
    const watcher = await this.client.watch().prefix(PREFIX.reminders).startRevision(String(BigInt(listing.header.revision) + 1n)).create();
    if (this.closed) {
      await watcher.cancel().catch(() => undefined);
      return;
    }
    this.watcher = watcher;
    watcher.on('put', (kv) => this.apply(kv, false));
    watcher.on('delete', (kv) => this.apply(kv, true));
    // etcd cancels a watch it cannot continue (its start revision was compacted away): list afresh.
    watcher.on('error', (e) => {
      if (this.closed || this.watcher !== watcher) return;
      this.watcher = undefined;
      this.host!.onError(e, 'reminder watch');
      void watcher.cancel().catch(() => undefined);
      this.refollow();
    });
  }

  /** Lists and watches afresh in a second, and again until that succeeds. */
  private refollow(): void {
    const t = setTimeout(() => {
      if (this.closed) return;
      this.follow().catch((e: unknown) => {
        this.host!.onError(e, 'reminder watch');
        this.refollow();
      });
    }, 1_000);
    t.unref?.();
  }

  private apply(kv: IKeyValue, deleted: boolean): void {
    const k = kv.key.toString();
    if (deleted) {
      this.drop(k);
      return;
    }
    const e = parseEntry(kv);
    // This node's own advance may already be known (its transaction answered before the watch did).
    if (e === undefined || this.entries.get(k)?.mod === e.mod) return;
    this.entries.set(k, e);
    this.arm(k, e, Math.max(0, e.due - Date.now()), true);
  }

  private drop(k: string): void {
    this.entries.delete(k);
    clearTimeout(this.timers.get(k));
    this.timers.delete(k);
  }

  private arm(k: string, e: Entry, delay: number, firstStage: boolean): void {
    clearTimeout(this.timers.get(k));
    if (this.closed) return;
    const t =
      delay > MAX_DELAY
        ? setTimeout(() => this.arm(k, e, Math.max(0, e.due - Date.now()), firstStage), MAX_DELAY)
        : setTimeout(() => this.due(k, e, firstStage), delay);
    t.unref?.();
    this.timers.set(k, t);
  }

  /** A timer went off: try the occurrence now if this node goes first, else after the backup delay. */
  private due(k: string, e: Entry, firstStage: boolean): void {
    this.timers.delete(k);
    const host = this.host!;
    // Changed or deleted meanwhile (its new version has its own timer), or a class this node lacks.
    if (this.closed || this.entries.get(k) !== e || !host.knows(e.type)) return;
    if (firstStage && !host.first(e.type, e.key)) {
      this.arm(k, e, BACKUP_DELAY_MS, false);
      return;
    }
    void this.fire(k, e).catch((r: unknown) => host.onError(r, `${e.type} ${String(e.key)} reminder ${e.name}`));
  }

  /** Takes the occurrence `e` with a compare on its mod_revision and, if this node got it, delivers it. */
  private async fire(k: string, e: Entry): Promise<void> {
    const host = this.host!;
    const periodic = e.period !== undefined;
    const now = Date.now();
    const next = periodic ? e.due + e.period! * (Math.floor((now - e.due) / e.period!) + 1) : now + this.redeliverMs;
    const r = await this.client.if(k, 'Mod', '==', e.mod).then(this.client.put(k).value(recordValue(next, e.period))).commit();
    // Another node took this occurrence, or the reminder changed: the watch brings its new version.
    if (!r.succeeded || this.closed) return;
    const taken: Entry = { ...e, due: next, mod: String(r.header.revision) };
    if (this.entries.get(k) === e) {
      this.entries.set(k, taken);
      this.arm(k, taken, Math.max(0, next - Date.now()), true);
    }
    try {
      await host.deliver(e.type, e.key, e.name);
    } catch (err) {
      host.onError(err, `${e.type} ${String(e.key)} reminder ${e.name}`);
      // Not delivered (no node could run it): a one-shot reminder stays, to fire again after the redelivery delay.
      if (!periodic && err instanceof ActorError && err.retriable) return;
    }
    // Delivered: a one-shot reminder goes, unless its turn registered it again (a newer mod_revision).
    if (!periodic) await this.client.if(k, 'Mod', '==', taken.mod).then(this.client.delete().key(k)).commit();
  }

  /** Stops the watch and every timer; stored reminders stay for the other nodes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.watcher?.cancel().catch(() => undefined);
  }
}
