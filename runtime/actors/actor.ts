// The programming model: the Actor base class, actor class options and the typed proxy type.

/** An actor's key: a string (uuids included) or a number; stateless workers have none. */
export type ActorKey = string | number;

/** Per-class settings, declared as `static readonly options` on the actor class. */
export interface ActorOptions {
  /** Save `this.state` after every method that returns normally (default false: call `save()`). */
  readonly autoSave?: boolean;
  /** Methods that may run while another turn of the same activation is awaiting (default none). */
  readonly reentrant?: readonly string[];
  /** Keyless, stateless: calls are spread over up to `maxWorkers` activations (default false). */
  readonly statelessWorker?: boolean;
  /** Most activations of a stateless worker type (default 4). */
  readonly maxWorkers?: number;
  /** Idle time in ms after which an activation is deactivated (default: the runtime's). */
  readonly idleMs?: number;
  /** Per-call timeout in ms, measured from the call (default: the runtime's; `Infinity`: none). */
  readonly callTimeoutMs?: number;
}

/** What the runtime lends each activation: persistence, timers, reminders and other actors. */
export interface ActivationHost {
  save(): Promise<void>;
  setTimer(callback: () => unknown, dueMs: number, periodMs: number | undefined): Timer;
  registerReminder(name: string, dueMs: number, periodMs: number | undefined): Promise<void>;
  unregisterReminder(name: string): Promise<void>;
  actorOf<A extends Actor<unknown>>(cls: ActorClass<A>, key?: ActorKey): ActorRef<A>;
}

/** A timer of one activation; it stops by itself when the activation is deactivated. */
export interface Timer {
  cancel(): void;
}

const hosts = new WeakMap<Actor<unknown>, { host: ActivationHost; key: ActorKey | undefined }>();

/** @internal Binds an instance to its activation (the runtime calls this before `onActivate`). */
export function attachHost(actor: Actor<unknown>, host: ActivationHost, key: ActorKey | undefined): void {
  hosts.set(actor, { host, key });
}

function hostOf(actor: Actor<unknown>): { host: ActivationHost; key: ActorKey | undefined } {
  const h = hosts.get(actor);
  // Only an instance constructed by hand (not through the runtime) lacks a host.
  if (!h) throw new Error('actor instance is not activated by an actor runtime');
  return h;
}

/**
 * Base class of every actor. Subclasses set `static readonly type` (the name stored with its
 * state and reminders), optionally `static readonly options`, an initial `state`, and async
 * methods. One activation runs one method at a time (see README).
 */
export abstract class Actor<S = undefined> {
  /**
   * Durable state: the stored copy replaces the initializer's value at activation. Persist it with
   * `save()` (or `autoSave`); deactivation saves it too.
   */
  state!: S;

  /** The key this activation was called with (`undefined` for a stateless worker). */
  get key(): ActorKey | undefined {
    return hostOf(this).key;
  }

  /** Runs once per activation before its first call; calls wait for it. */
  onActivate(): Promise<void> | void {}

  /** Runs once when the activation is deactivated (idle, evicted, or runtime closing), before the state is saved. */
  onDeactivate(): Promise<void> | void {}

  /** Receives a due reminder registered with `registerReminder`, as a turn of its own. */
  onReminder(_name: string): Promise<void> | void {}

  /** Writes `this.state` durably; resolves once it is on disk. */
  save(): Promise<void> {
    return hostOf(this).host.save();
  }

  /** An in-memory timer whose callback runs as a turn of this activation (not reentrant). */
  setTimer(callback: () => unknown, dueMs: number, periodMs?: number): Timer {
    return hostOf(this).host.setTimer(callback, dueMs, periodMs);
  }

  /** A durable reminder: stored (LMDB, or etcd in a cluster), it survives restarts and reactivates the actor when due. */
  registerReminder(name: string, dueMs: number, periodMs?: number): Promise<void> {
    return hostOf(this).host.registerReminder(name, dueMs, periodMs);
  }

  /** Removes a reminder durably. */
  unregisterReminder(name: string): Promise<void> {
    return hostOf(this).host.unregisterReminder(name);
  }

  /** A proxy to another actor (or this one: a call to itself waits for the current turn unless reentrant). */
  actorOf<A extends Actor<unknown>>(cls: ActorClass<A>, key?: ActorKey): ActorRef<A> {
    return hostOf(this).host.actorOf(cls, key);
  }
}

/** An actor class as the runtime sees it. */
export interface ActorClass<A extends Actor<unknown> = Actor<unknown>> {
  new (): A;
  /** The actor type's stable name: stored state and reminders are found by it. */
  readonly type: string;
  readonly options?: ActorOptions;
}

type Callable<A> = {
  [K in keyof A]: K extends keyof Actor<unknown> ? never : A[K] extends (...args: never[]) => unknown ? K : never;
}[keyof A];

/** The typed proxy `actorOf` returns: the actor's own methods, each returning a Promise. */
export type ActorRef<A> = {
  readonly [K in Callable<A>]: A[K] extends (...args: infer P) => infer R ? (...args: P) => Promise<Awaited<R>> : never;
};

/** The names callers may invoke on a class: its own methods and its ancestors' below `Actor`. */
export function actorMethods(cls: ActorClass): Set<string> {
  const names = new Set<string>();
  const base = new Set(Object.getOwnPropertyNames(Actor.prototype));
  for (let p: object | null = cls.prototype; p && p !== Actor.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (base.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d && typeof d.value === 'function') names.add(name);
    }
  }
  return names;
}
