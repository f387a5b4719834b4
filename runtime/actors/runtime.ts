// The single-process actor runtime: type registry, directory of activations, calls, lifecycle, timers and reminders.
import { Deadlines } from './deadlines.ts';
import { Activation, type Turn } from './activation.ts';
import { actorMethods, attachHost, type Actor, type ActivationHost, type ActorClass, type ActorKey, type ActorRef, type Timer } from './actor.ts';
import { ActorError } from './errors.ts';
import { ActorStore, type ActorReminderStore, type ActorStateStore, type ReminderRecord } from './store.ts';

/** Settings of one runtime; per-class `options` override the timing ones. */
export interface ActorRuntimeOptions {
  /** The data directory; actor data lives in its `actors/` subdirectory. */
  readonly dataDir: string;
  /** Classes to register up front (needed for their stored reminders to fire at start-up). */
  readonly actors?: readonly ActorClass[];
  /** Idle time before deactivation, ms (default 15 minutes). */
  readonly idleMs?: number;
  /** Most keyed activations kept; past it the least recently used idle one is deactivated (default 100,000). */
  readonly maxActivations?: number;
  /** Per-call timeout, ms (default 30 s; `Infinity`: none). */
  readonly callTimeoutMs?: number;
  /** `false` skips fsync on saves (throwaway data only). Default true. */
  readonly sync?: boolean;
  /** Receives errors nobody awaits: timer callbacks, reminders, `onDeactivate` (default: console.error). */
  readonly onError?: (error: unknown, where: string) => void;
  /** Where states are loaded and saved (default: the LMDB store in `<dataDir>/actors`). */
  readonly stateStore?: ActorStateStore;
  /**
   * Where reminders are stored (default: the LMDB store, fired by this runtime's timers). One given
   * here fires them itself, through `callByName(type, key, 'onReminder', [name])`; this runtime
   * then neither schedules nor reads reminders of its own.
   */
  readonly reminderStore?: ActorReminderStore;
  /** Claims each keyed activation before it loads state and releases it after its last save (a cluster's directory). */
  readonly claims?: ActivationClaims;
  /** Serves `actorOf` inside activations (default: this runtime); a cluster routes those calls to other nodes. */
  readonly client?: ActorClient;
}

/**
 * Single-activation across processes: `claim` resolves once this runtime may host the actor and
 * throws (`ActorError('not_owner')`) when another one does; `release` gives the claim back.
 */
export interface ActivationClaims {
  claim(type: string, key: ActorKey): Promise<void>;
  release(type: string, key: ActorKey): Promise<void>;
}

/** One keyed activation as listed by `activations()`. */
export interface ActivationEntry {
  readonly type: string;
  readonly key: ActorKey;
}

/** What calling code needs: typed proxies to actors. The cluster client will offer the same face. */
export interface ActorClient {
  actorOf<A extends Actor<unknown>>(cls: ActorClass<A>, key?: ActorKey): ActorRef<A>;
}

/** Counters since the runtime opened, plus current gauges. */
export interface ActorStats {
  /** Live activations now (keyed and workers). */
  readonly activations: number;
  readonly activated: number;
  readonly deactivated: number;
  readonly calls: number;
  /** Reminder turns run here so far (a cluster fires each occurrence on one node only). */
  readonly reminders: number;
  /** Turns waiting in all mailboxes now. */
  readonly mailboxDepth: number;
  /**
   * Call latency (from the call to its answer, queue time included) of one call in `sampleEvery`:
   * `counts[b]` calls took under `upperMicros[b]` µs and at least the previous bound (the last
   * bucket has no upper bound: Infinity); `sumMicros` is the total latency of those sampled calls.
   */
  readonly callLatency: { readonly sampleEvery: number; readonly upperMicros: readonly number[]; readonly counts: readonly number[]; readonly sumMicros: number };
}

/** How many refs per actor type `actorOf` keeps for reuse. */
const REF_CACHE_PER_TYPE = 4096;

/** Latency is timed on one call in this many (a power of two): reading the clock twice per call costs a trivial call a fifth of its time. */
const LATENCY_SAMPLE = 16;
/** Latency buckets: bucket b holds [2^(b-1), 2^b) µs (bucket 0: under 1 µs; the last: from about 18 minutes up). */
const LATENCY_BUCKETS = 32;

function latencyBucket(ms: number): number {
  const us = Math.min(ms * 1000, 2 ** 31 - 1);
  return us < 1 ? 0 : Math.min(LATENCY_BUCKETS - 1, 32 - Math.clz32(us));
}

interface TypeInfo {
  readonly cls: ActorClass;
  readonly methods: ReadonlySet<string>;
  readonly reentrant: ReadonlySet<string>;
  readonly autoSave: boolean;
  readonly worker: boolean;
  readonly maxWorkers: number;
  readonly idleMs: number;
  readonly timeoutMs: number;
}

interface RefTarget {
  readonly info: TypeInfo;
  readonly key: ActorKey | undefined;
  readonly id: string;
  act: Activation | undefined;
}

const TARGET = Symbol('actor-ref');
type Ref = { [TARGET]: RefTarget };
/** setTimeout's longest delay; longer reminders re-arm in steps. */
const MAX_DELAY = 2 ** 31 - 1;


const identity = (type: string, key: ActorKey | undefined): string =>
  key === undefined ? type : `${type}\u0000${typeof key === 'number' ? 'n' : 's'}${key}`;
const reminderId = (type: string, key: ActorKey, name: string): string => `${identity(type, key)}\u0000${name}`;
/** The base-class method a reminder runs, callable by name on keyed actors so a cluster can deliver reminders like calls. */
const REMINDER_METHOD = 'onReminder';

/** Hosts actors in this process; their state and reminders persist in `<dataDir>/actors`. */
export class ActorRuntime implements ActorClient {
  private readonly types = new Map<string, TypeInfo>();
  private readonly refProtos = new Map<string, object>();
  /**
   * Refs of keyed actors handed out lately, per type and key: asking again for the same actor
   * returns the same ref, whose activation is already resolved, so `actorOf(...).m()` per call
   * costs what a kept ref costs. Bounded: a type's map is emptied when it fills.
   */
  private readonly refCache = new Map<string, Map<ActorKey, Ref>>();
  /** Keyed activations in least-recently-used order (a call moves its activation to the end). */
  private readonly live = new Map<string, Activation>();
  /** Calls routed so far: an activation's `moved` is this count when it last moved to the end of `live`. */
  private useClock = 0;
  private readonly deadlines = new Deadlines();
  /** Sampled call latencies by bucket (see ActorStats.callLatency), and turns invoked so far. */
  private readonly latency = new Float64Array(LATENCY_BUCKETS);
  private latencySumMs = 0;
  private invoked = 0;
  /** Deactivations in progress, by identity: the next activation waits for its predecessor's save. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly workers = new Map<string, Activation[]>();
  private readonly reminders = new Map<string, ReminderRecord>();
  private readonly reminderTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private sweepMs = Infinity;
  private closed = false;
  private activated = 0;
  private deactivated = 0;
  private calls = 0;
  private reminded = 0;
  private readonly idleMs: number;
  private readonly maxActivations: number;
  private readonly callTimeoutMs: number;
  private readonly onError: (error: unknown, where: string) => void;
  private readonly states: ActorStateStore;
  /** Reminders kept and fired elsewhere (a cluster's), or undefined: LMDB and this runtime's timers. */
  private readonly remoteReminders: ActorReminderStore | undefined;
  private readonly claims: ActivationClaims | undefined;
  private readonly client: ActorClient;

  private constructor(
    private readonly store: ActorStore,
    options: ActorRuntimeOptions,
  ) {
    this.states = options.stateStore ?? store;
    this.remoteReminders = options.reminderStore;
    this.claims = options.claims;
    this.client = options.client ?? this;
    this.idleMs = options.idleMs ?? 15 * 60_000;
    this.maxActivations = options.maxActivations ?? 100_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.onError = options.onError ?? ((e, where) => console.error(`orbit: actor ${where}:`, e));
    if (!this.remoteReminders) for (const r of store.allReminders()) this.reminders.set(reminderId(r.type, r.key, r.name), r);
    for (const cls of options.actors ?? []) this.register(cls);
  }

  /** Opens the runtime over `dataDir` and schedules the stored reminders of the given classes. */
  static open(options: ActorRuntimeOptions): ActorRuntime {
    return new ActorRuntime(ActorStore.open(options.dataDir, options.sync !== false), options);
  }

  /**
   * A typed proxy to the actor `cls` with `key` (no key for a stateless worker). Creating it is
   * cheap and activates nothing; the first call does.
   */
  actorOf<A extends Actor<unknown>>(cls: ActorClass<A>, key?: ActorKey): ActorRef<A> {
    const info = this.typeInfo(cls as unknown as ActorClass);
    if (info.worker) {
      if (key !== undefined) throw new ActorError('invalid_key', `${cls.type} is a stateless worker and takes no key`);
    } else if (!(typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key)))) {
      throw new ActorError('invalid_key', `${cls.type} needs a string or finite number key`);
    }
    if (info.worker) return this.newRef(info, undefined) as unknown as ActorRef<A>;
    let byKey = this.refCache.get(info.cls.type);
    if (byKey === undefined) this.refCache.set(info.cls.type, (byKey = new Map()));
    let ref = byKey.get(key!);
    if (ref === undefined) {
      if (byKey.size >= REF_CACHE_PER_TYPE) byKey.clear();
      ref = this.newRef(info, key);
      byKey.set(key!, ref);
    }
    return ref as unknown as ActorRef<A>;
  }

  private newRef(info: TypeInfo, key: ActorKey | undefined): Ref {
    const ref = Object.create(this.refProtos.get(info.cls.type)!) as Ref;
    ref[TARGET] = { info, key, id: identity(info.cls.type, key), act: undefined };
    return ref;
  }

  /**
   * Calls `method` on the actor of the registered type named `type`, for callers that know only
   * names (a remote node, the command line). Unknown types and methods are `ActorError`s.
   */
  callByName(type: string, key: ActorKey | undefined, method: string, args: readonly unknown[]): Promise<unknown> {
    const info = this.types.get(type);
    if (!info) return Promise.reject(new ActorError('unknown_type', type));
    const refused = this.refusal(info, method, args);
    if (refused) return Promise.reject(refused);
    let ref: Ref;
    try {
      ref = this.actorOf(info.cls, key) as unknown as Ref;
    } catch (e) {
      return Promise.reject(e);
    }
    return this.call(ref[TARGET], method, [...args]);
  }

  /**
   * `callByName` for an actor live or activating here, in one lookup; undefined (nothing done)
   * when it is not hosted here or the type or method is unknown. A node's hot path: most calls go
   * to actors it already hosts.
   */
  callHosted(type: string, key: ActorKey, method: string, args: readonly unknown[]): Promise<unknown> | undefined {
    const info = this.types.get(type);
    if (info === undefined || info.worker || this.closed || this.refusal(info, method, args)) return undefined;
    const act = this.live.get(identity(type, key));
    if (act === undefined || (act.phase !== 'live' && act.phase !== 'activating')) return undefined;
    this.touch(act);
    act.lastUsed = Date.now();
    this.calls++;
    if (method === REMINDER_METHOD) this.reminded++;
    const fn = (act.instance as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
    const argv = [...args];
    return this.invoke(info, act, method, () => fn.apply(act.instance, argv), info.reentrant.has(method));
  }

  /**
   * Why a call by name cannot run, or undefined when it can: the class's own methods, and
   * `onReminder(name)` on keyed actors (how a cluster delivers a reminder on the actor's node).
   */
  private refusal(info: TypeInfo, method: string, args: readonly unknown[]): ActorError | undefined {
    if (info.methods.has(method)) return undefined;
    if (method !== REMINDER_METHOD || info.worker) return new ActorError('unknown_method', `${info.cls.type}.${method}`);
    return typeof args[0] === 'string' && args.length === 1 ? undefined : new ActorError('invalid_call', `${info.cls.type}.${REMINDER_METHOD} takes one argument, the reminder's name`);
  }

  /** The registered class named `type`, if any. */
  classOf(type: string): ActorClass | undefined {
    return this.types.get(type)?.cls;
  }

  /** Whether a keyed activation of this actor is live or activating here. */
  hosts(type: string, key: ActorKey): boolean {
    const a = this.live.get(identity(type, key));
    return a !== undefined && (a.phase === 'live' || a.phase === 'activating');
  }

  /** Whether a keyed activation of this actor is live here: activated, its claim held in a cluster. */
  isLive(type: string, key: ActorKey): boolean {
    return this.live.get(identity(type, key))?.phase === 'live';
  }

  /** The keyed activations live or activating here. */
  activations(): ActivationEntry[] {
    const out: ActivationEntry[] = [];
    for (const a of this.live.values()) if (a.phase === 'live' || a.phase === 'activating') out.push({ type: this.infoOf(a).cls.type, key: a.key! });
    return out;
  }

  /** Deactivates every activation (state saved, claims released) and resolves with how many it deactivated; the runtime stays open. */
  async deactivateAll(): Promise<number> {
    const all = [...this.live.values(), ...[...this.workers.values()].flat()];
    await Promise.all(all.map((a) => this.bounded(this.deactivate(a), a.id)));
    return all.length;
  }

  /**
   * Activates the keyed actor here without a call (claim, saved state, `onActivate`) and resolves
   * once it is live; rejects as its first call would (`not_owner` when another node holds it).
   */
  activateActor(type: string, key: ActorKey): Promise<void> {
    const info = this.types.get(type);
    if (!info) return Promise.reject(new ActorError('unknown_type', type));
    if (this.closed) return Promise.reject(new ActorError('runtime_closed'));
    try {
      // Validates the key (a stateless worker takes none).
      this.actorOf(info.cls, key);
    } catch (e) {
      return Promise.reject(e);
    }
    const act = this.activationFor(info, key, identity(type, key));
    return new Promise<void>((resolve, reject) => act.post(async () => (act.failure === undefined ? resolve() : reject(act.failure))));
  }

  /** Deactivates the keyed actor if it is live here (state saved, claim released); false when it is not hosted here. */
  async deactivateActor(type: string, key: ActorKey): Promise<boolean> {
    const act = this.live.get(identity(type, key));
    if (act === undefined || (act.phase !== 'live' && act.phase !== 'activating')) return false;
    await this.bounded(this.deactivate(act), act.id);
    return true;
  }

  /** Registers a class (done implicitly by `actorOf`) and schedules its stored reminders; one class per type name. */
  register(cls: ActorClass): void {
    this.typeInfo(cls);
  }

  private typeInfo(cls: ActorClass): TypeInfo {
    const known = this.types.get(cls.type);
    if (known) {
      if (known.cls !== cls) throw new ActorError('duplicate_type', cls.type);
      return known;
    }
    if (typeof cls.type !== 'string' || cls.type === '') throw new ActorError('invalid_definition', 'static `type` must be a non-empty string');
    const o = cls.options ?? {};
    const methods = actorMethods(cls);
    for (const m of o.reentrant ?? []) if (!methods.has(m)) throw new ActorError('invalid_definition', `${cls.type}: reentrant method ${m} does not exist`);
    const info: TypeInfo = {
      cls,
      methods,
      reentrant: new Set(o.reentrant ?? []),
      autoSave: o.autoSave === true,
      worker: o.statelessWorker === true,
      maxWorkers: Math.max(1, o.maxWorkers ?? 4),
      idleMs: o.idleMs ?? this.idleMs,
      timeoutMs: o.callTimeoutMs ?? this.callTimeoutMs,
    };
    this.types.set(cls.type, info);
    const proto: Record<string, (this: Ref, ...args: unknown[]) => Promise<unknown>> = {};
    const rt = this;
    for (const m of methods) {
      proto[m] = function (this: Ref, ...args: unknown[]) {
        return rt.call(this[TARGET], m, args);
      };
    }
    this.refProtos.set(cls.type, proto);
    this.armSweeper(info.idleMs);
    for (const r of this.reminders.values()) if (r.type === cls.type) this.schedule(r);
    return info;
  }

  /** Counters and gauges (activation counts, calls, mailbox depth). */
  stats(): ActorStats {
    let activations = this.live.size;
    let mailboxDepth = 0;
    for (const a of this.live.values()) mailboxDepth += a.depth;
    for (const pool of this.workers.values()) {
      activations += pool.length;
      for (const a of pool) mailboxDepth += a.depth;
    }
    const upperMicros = Array.from({ length: LATENCY_BUCKETS }, (_, b) => (b === LATENCY_BUCKETS - 1 ? Infinity : 2 ** b));
    const callLatency = { sampleEvery: LATENCY_SAMPLE, upperMicros, counts: [...this.latency], sumMicros: this.latencySumMs * 1000 };
    return { activations, activated: this.activated, deactivated: this.deactivated, calls: this.calls, reminders: this.reminded, mailboxDepth, callLatency };
  }

  /**
   * Deactivates every activation (running `onDeactivate` and saving state), then closes storage.
   * An activation stuck in a turn that never returns is abandoned after the call timeout, unsaved.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const t of this.reminderTimers.values()) clearTimeout(t);
    this.reminderTimers.clear();
    for (const a of [...this.live.values(), ...[...this.workers.values()].flat()]) void this.deactivate(a);
    await Promise.all([...this.closing].map(([id, p]) => this.bounded(p, id)));
    await this.store.close();
  }

  private bounded(p: Promise<void>, id: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.onError(new ActorError('call_timeout', `deactivating ${id.replace(/\u0000./, ' ')} on close, abandoned unsaved`), 'close');
        resolve();
      }, Math.min(this.callTimeoutMs, MAX_DELAY));
    });
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  }

  // ─── Calls ───────────────────────────────────────────────────────────────

  private call(target: RefTarget, method: string, args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new ActorError('runtime_closed'));
    const { info } = target;
    let act: Activation;
    if (info.worker) act = this.pickWorker(info);
    else {
      const cached = target.act;
      if (cached && (cached.phase === 'live' || cached.phase === 'activating')) {
        act = cached;
        this.touch(act);
      } else {
        act = this.activationFor(info, target.key!, target.id);
        target.act = act;
      }
    }
    act.lastUsed = Date.now();
    this.calls++;
    if (method === REMINDER_METHOD) this.reminded++;
    const fn = (act.instance as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
    return this.invoke(info, act, method, () => fn.apply(act.instance, args), info.reentrant.has(method));
  }

  /**
   * Moves a keyed activation to the least-recently-used order's end, once as many calls as there
   * are activations have gone by since it last moved: a hot actor is not re-inserted on every
   * call, and the order stays exact for any that are candidates for eviction.
   */
  private touch(act: Activation): void {
    const clock = ++this.useClock;
    if (clock - act.moved <= this.live.size && act.moved !== 0) return;
    act.moved = clock;
    this.live.delete(act.id);
    this.live.set(act.id, act);
  }

  /**
   * Runs `body` as a turn of `act` and settles with its result. The timeout counts from now, queue
   * time included; a call that times out before its turn starts never runs.
   */
  private invoke(info: TypeInfo, act: Activation, what: string, body: () => unknown, reentrant: boolean): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      let done = false;
      const t0 = (++this.invoked & (LATENCY_SAMPLE - 1)) === 0 ? performance.now() : -1;
      const expire = (): void => {
        if (done) return;
        done = true;
        if (t0 >= 0) this.sample(t0);
        reject(new ActorError('call_timeout', `${info.cls.type}.${what} (key ${String(act.key)}) gave no answer within ${info.timeoutMs} ms`));
      };
      // An infinite (or beyond setTimeout's range) timeout means none.
      const slot = info.timeoutMs <= MAX_DELAY ? this.deadlines.add(Date.now() + info.timeoutMs, expire) : -1;
      const clear = (): void => {
        if (slot >= 0) this.deadlines.remove(slot, expire);
        if (t0 >= 0) this.sample(t0);
      };
      const turn: Turn = async () => {
        if (done) return;
        let result: unknown;
        try {
          if (act.failure !== undefined) throw act.failure;
          result = await body();
          if (info.autoSave) await this.states.saveState(info.cls.type, act.key!, act.instance.state);
        } catch (e) {
          if (!done) {
            done = true;
            clear();
            reject(e);
          }
          return;
        }
        if (!done) {
          done = true;
          clear();
          resolve(result);
        }
      };
      if (reentrant && act.phase === 'live') act.interleave(turn);
      else act.post(turn, reentrant);
    });
  }

  /** Records the latency of a sampled call that started at `t0` (performance.now()). */
  private sample(t0: number): void {
    const ms = performance.now() - t0;
    this.latency[latencyBucket(ms)]!++;
    this.latencySumMs += ms;
  }

  private pickWorker(info: TypeInfo): Activation {
    const pool = this.workers.get(info.cls.type) ?? [];
    this.workers.set(info.cls.type, pool);
    let best: Activation | undefined;
    for (const a of pool) {
      if (a.phase !== 'live' && a.phase !== 'activating') continue;
      if (!a.busy) return a;
      if (!best || a.depth < best.depth) best = a;
    }
    if (best && pool.length >= info.maxWorkers) return best;
    return this.activate(info, undefined, `${info.cls.type}#${this.activated}`);
  }

  // ─── Lifecycle ───────────────────────────────────────────────────────────

  private activationFor(info: TypeInfo, key: ActorKey, id: string): Activation {
    const existing = this.live.get(id);
    if (existing) {
      this.touch(existing);
      return existing;
    }
    const act = this.activate(info, key, id);
    if (this.live.size > this.maxActivations) this.evictOne(act);
    return act;
  }

  /**
   * Creates and lists an activation (in the directory, or its worker pool) whose first turn loads
   * the saved state and runs `onActivate`.
   */
  private activate(info: TypeInfo, key: ActorKey | undefined, id: string): Activation {
    const instance = new info.cls();
    const act = new Activation(id, instance, key);
    attachHost(instance, this.hostFor(info, act), key);
    this.activated++;
    // Listed before the first turn is posted: that turn may fail synchronously and unlist it.
    if (info.worker) this.workers.get(info.cls.type)!.push(act);
    else this.live.set(id, act);
    const predecessor = this.closing.get(id);
    act.post(async () => {
      let claimed = false;
      try {
        if (predecessor) await predecessor;
        if (!info.worker) {
          if (this.claims) {
            await this.claims.claim(info.cls.type, key!);
            claimed = true;
          }
          const saved = await this.states.loadState(info.cls.type, key!);
          if (saved !== undefined) instance.state = saved;
        }
        await instance.onActivate();
        act.phase = 'live';
      } catch (e) {
        // Calls already queued receive the error; the next call starts a fresh activation.
        act.failure = e;
        act.phase = 'closed';
        this.forget(info, act);
        if (claimed) await this.claims!.release(info.cls.type, key!).catch((r: unknown) => this.onError(r, `${id} claim release`));
      }
    });
    return act;
  }

  private forget(info: TypeInfo, act: Activation): void {
    if (info.worker) {
      const pool = this.workers.get(info.cls.type);
      const i = pool ? pool.indexOf(act) : -1;
      if (i >= 0) pool!.splice(i, 1);
    } else if (this.live.get(act.id) === act) this.live.delete(act.id);
  }

  /** Deactivates the least recently used idle activation other than `keep` (state saved first). */
  private evictOne(keep: Activation): void {
    for (const a of this.live.values()) {
      if (a !== keep && a.phase === 'live' && !a.busy) {
        void this.deactivate(a);
        return;
      }
    }
  }

  /**
   * Stops routing calls to `act`, lets its queued turns finish, then runs `onDeactivate` and saves
   * the state as its last turn. A new activation of the same actor waits for that save.
   */
  private deactivate(act: Activation): Promise<void> {
    const info = this.infoOf(act);
    if (act.phase === 'closed') return Promise.resolve();
    const existing = this.closing.get(act.id);
    if (act.phase === 'deactivating' && existing) return existing;
    act.phase = 'deactivating';
    this.forget(info, act);
    for (const t of act.timers) t.cancel();
    this.deactivated++;
    const done = new Promise<void>((resolve) => {
      act.post(async () => {
        await act.reentrantDrained();
        if (act.failure === undefined) {
          try {
            await act.instance.onDeactivate();
          } catch (e) {
            this.onError(e, `${act.id} onDeactivate`);
          }
          if (!info.worker) {
            try {
              await this.states.saveState(info.cls.type, act.key!, act.instance.state);
            } catch (e) {
              this.onError(e, `${act.id} save on deactivation`);
            }
            // Released even when the save failed: holding the claim would only block the actor everywhere.
            if (this.claims) await this.claims.release(info.cls.type, act.key!).catch((e: unknown) => this.onError(e, `${act.id} claim release`));
          }
        }
        act.phase = 'closed';
        resolve();
      });
    });
    this.closing.set(act.id, done);
    void done.then(() => {
      if (this.closing.get(act.id) === done) this.closing.delete(act.id);
    });
    return done;
  }

  private armSweeper(idleMs: number): void {
    const every = Math.max(5, Math.min(30_000, Math.floor(idleMs / 2)));
    if (every >= this.sweepMs) return;
    this.sweepMs = every;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref?.();
  }

  /** Deactivates activations idle for longer than their type's `idleMs`. */
  private sweep(): void {
    const now = Date.now();
    const idle = (a: Activation, info: TypeInfo): boolean => a.phase === 'live' && !a.busy && now - a.lastUsed >= info.idleMs;
    for (const a of this.live.values()) {
      if (idle(a, this.infoOf(a))) void this.deactivate(a);
    }
    for (const [type, pool] of this.workers) {
      const info = this.types.get(type)!;
      for (const a of [...pool]) if (idle(a, info)) void this.deactivate(a);
    }
  }

  private infoOf(act: Activation): TypeInfo {
    return this.types.get((act.instance.constructor as ActorClass).type)!;
  }

  // ─── What an activation may do ───────────────────────────────────────────

  private hostFor(info: TypeInfo, act: Activation): ActivationHost {
    const type = info.cls.type;
    return {
      save: async () => {
        if (info.worker) throw new ActorError('stateless', `${type}.save()`);
        await this.states.saveState(type, act.key!, act.instance.state);
      },
      setTimer: (callback, dueMs, periodMs) => this.setTimer(act, callback, dueMs, periodMs),
      registerReminder: async (name, dueMs, periodMs) => {
        if (info.worker) throw new ActorError('stateless', `${type} reminders`);
        const r: ReminderRecord = { type, key: act.key!, name, due: Date.now() + dueMs, period: periodMs };
        if (this.remoteReminders) return this.remoteReminders.putReminder(r);
        await this.store.putReminder(r);
        this.reminders.set(reminderId(type, act.key!, name), r);
        this.schedule(r);
      },
      unregisterReminder: async (name) => {
        if (this.remoteReminders) return this.remoteReminders.removeReminder(type, act.key!, name);
        const rid = reminderId(type, act.key!, name);
        this.reminders.delete(rid);
        const t = this.reminderTimers.get(rid);
        if (t) clearTimeout(t);
        this.reminderTimers.delete(rid);
        await this.store.removeReminder(type, act.key!, name);
      },
      actorOf: (cls, key) => this.client.actorOf(cls, key),
    };
  }

  private setTimer(act: Activation, callback: () => unknown, dueMs: number, periodMs: number | undefined): Timer {
    let handle: ReturnType<typeof setTimeout> | undefined;
    const timer: Timer = {
      cancel: () => {
        if (handle !== undefined) clearTimeout(handle);
        handle = undefined;
        act.timers.delete(timer);
      },
    };
    const fire = (): void => {
      if (periodMs !== undefined && periodMs > 0) arm(periodMs);
      else act.timers.delete(timer);
      if (act.phase !== 'live') return;
      act.post(async () => {
        if (act.phase !== 'live') return;
        try {
          await callback();
        } catch (e) {
          this.onError(e, `${act.id} timer`);
        }
      });
    };
    const arm = (ms: number): void => {
      handle = setTimeout(fire, ms);
      handle.unref?.();
    };
    if (act.phase === 'closed' || act.phase === 'deactivating') return timer;
    act.timers.add(timer);
    arm(Math.max(0, dueMs));
    return timer;
  }

  // ─── Reminders ───────────────────────────────────────────────────────────

  private schedule(r: ReminderRecord): void {
    if (this.closed) return;
    const rid = reminderId(r.type, r.key, r.name);
    const old = this.reminderTimers.get(rid);
    if (old) clearTimeout(old);
    const delay = Math.max(0, r.due - Date.now());
    const t = delay > MAX_DELAY ? setTimeout(() => this.schedule(r), MAX_DELAY) : setTimeout(() => void this.fire(rid, r), delay);
    t.unref?.();
    this.reminderTimers.set(rid, t);
  }

  /** Delivers a due reminder as a turn (activating the actor); a one-shot one is removed after its turn. */
  private async fire(rid: string, r: ReminderRecord): Promise<void> {
    this.reminderTimers.delete(rid);
    const info = this.types.get(r.type);
    // A reminder of a class not registered (yet) stays stored; registering the class schedules it.
    if (this.closed || !info || info.worker || this.reminders.get(rid) !== r) return;
    try {
      if (r.period !== undefined && r.period > 0) {
        const now = Date.now();
        const next: ReminderRecord = { ...r, due: r.due + r.period * (Math.floor((now - r.due) / r.period) + 1) };
        this.reminders.set(rid, next);
        this.schedule(next);
        await this.store.putReminder(next);
        if (this.closed) return;
      }
      const act = this.activationFor(info, r.key, identity(r.type, r.key));
      this.reminded++;
      await this.invoke(info, act, `onReminder(${r.name})`, () => act.instance.onReminder(r.name), false);
    } catch (e) {
      this.onError(e, `${r.type} ${String(r.key)} reminder ${r.name}`);
    }
    if ((r.period === undefined || r.period <= 0) && this.reminders.get(rid) === r) {
      this.reminders.delete(rid);
      if (!this.closed) await this.store.removeReminder(r.type, r.key, r.name).catch((e: unknown) => this.onError(e, 'reminder removal'));
    }
  }
}
