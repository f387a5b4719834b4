// An actor node: the local runtime, its gRPC listener and, in a cluster, membership, directory, placement and forwarding.
import { hostname } from 'node:os';
import { actorMethods, ActorError, ActorRuntime, type Actor, type ActorClass, type ActorClient, type ActorKey, type ActorRef, type ActorStats } from '../actors/index.ts';
import { keyText } from './codec.ts';
import { Directory, NotOwnerError, type Claim } from './directory.ts';
import { Membership, type Member } from './membership.ts';
import { placeActor } from './placement.ts';
import { ClusterReminders, type ReminderHost } from './reminders.ts';
import type { HealthReplyMessage, NodeInfoMessage } from './proto.ts';
import type { NodeTls } from './tls.ts';
import { PeerChannel, serveGrpc, type ActorInvocation, type DrainReport, type GrpcListener, type NodeHandler } from './transport.ts';

/** Settings of one node. Without `etcd` the node is a single process: no directory, no peers. */
export interface ActorNodeOptions {
  readonly dataDir: string;
  /** Actor classes this node can host; every node of a cluster must load the same ones. */
  readonly actors: readonly ActorClass[];
  /** Address and port of the gRPC listener (port 0: ephemeral). */
  readonly host: string;
  readonly port: number;
  /** etcd endpoints (`http://127.0.0.1:2379`, comma-separated); turns cluster mode on. */
  readonly etcd?: string;
  /** This node's id, unique in the cluster (default: the host name). */
  readonly nodeId?: string;
  /** Host peers use to reach this node (default: `host`, or the machine's name when `host` is a wildcard). */
  readonly advertiseHost?: string;
  /** etcd lease TTL in seconds (default 10): how long a dead node's actors stay unreachable. */
  readonly leaseTtl?: number;
  readonly callTimeoutMs?: number;
  readonly idleMs?: number;
  readonly maxActivations?: number;
  readonly sync?: boolean;
  /**
   * Where a new actor goes: `hash` (default), rendezvous hashing of its name, so every node picks
   * the same without asking; `least-loaded`, the open member with the fewest activations (each node
   * reports its count every second; ties go by hash).
   */
  readonly placement?: Placement;
  /** Called when the node can no longer safely host actors (its etcd lease is lost); it should exit. */
  readonly onFatal?: (error: Error) => void;
  /** Errors nobody awaits (timers, reminders, saves on deactivation); default: console.error. */
  readonly onError?: (error: unknown, where: string) => void;
  /**
   * TLS for the listener and for calls to peers (which must all use TLS too): the node's
   * certificate is served and, for mutual TLS, presented to peers; `ca` verifies them.
   */
  readonly tls?: NodeTls;
}

export type Placement = 'hash' | 'least-loaded';

/** How often a node reports its activation count under least-loaded placement. */
const LOAD_REPORT_MS = 1_000;

/** A forwarded call may be passed on this many times while an actor's ownership settles. */
const MAX_HOPS = 4;
/** Owner cache entries kept before the cache starts over. */
const MAX_CACHED_OWNERS = 100_000;
/** How many refs per actor type `actorOf` keeps for reuse. */
const REF_CACHE_PER_TYPE = 4096;
const KEY = Symbol('actor-key');

/** The actor's name as rendezvous hashing sees it (every node must compute the same). */
const identity = (type: string, key: ActorKey): string => `${type}\u0000${keyText(key)}`;
/** The owner cache's key: unambiguous and cheap (no escaping), computed on every remote call. */
const ownerKey = (type: string, key: ActorKey): string => `${type}\u0000${typeof key === 'number' ? 'n' : 's'}${key}`;

/**
 * Hosts actors and routes calls. In a cluster a call goes to the node holding the actor's claim,
 * or, for an unclaimed actor, to the node rendezvous hashing picks among the live, non-draining
 * members; a forwarded call whose target no longer hosts the actor is claimed where it lands.
 */
export class ActorNode implements ActorClient, NodeHandler {
  private runtime!: ActorRuntime;
  private listener!: GrpcListener;
  private membership: Membership | undefined;
  private directory: Directory | undefined;
  private reminders: ClusterReminders | undefined;
  private readonly peers = new Map<string, PeerChannel>();
  private readonly owners = new Map<string, string>();
  private readonly refProtos = new Map<string, object>();
  /** Refs handed out lately, per class and key (they hold nothing but the key): asking again reuses one. */
  private readonly refCache = new Map<object, Map<ActorKey | undefined, object>>();
  private closing = false;
  /** Stopped by `abort`: saves its dropped activations attempt are expected to fail. */
  private aborted = false;
  private readonly tls: NodeTls | undefined;
  private readonly placement: Placement;
  /** Least-loaded: actors this node placed on each member since that member's last report. */
  private readonly placedSince = new Map<string, number>();
  private loadReporter: ReturnType<typeof setInterval> | undefined;
  private readonly leaseTtl: number;
  private readonly callTimeoutMs: number;
  readonly nodeId: string;
  private address = '';

  private constructor(options: ActorNodeOptions) {
    this.nodeId = options.nodeId ?? hostname();
    this.leaseTtl = options.leaseTtl ?? 10;
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
    this.placement = options.placement ?? 'hash';
    this.tls = options.tls;
  }

  /** Starts the gRPC listener, joins the cluster (when `etcd` is set) and opens the runtime. */
  static async start(options: ActorNodeOptions): Promise<ActorNode> {
    const node = new ActorNode(options);
    node.listener = await serveGrpc(node, options.host, options.port, options.tls);
    const wildcard = options.host === '0.0.0.0' || options.host === '::';
    node.address = `${options.advertiseHost ?? (wildcard ? hostname() : options.host)}:${node.listener.port}`;
    try {
      if (options.etcd) {
        node.membership = await Membership.join({
          etcd: options.etcd,
          nodeId: node.nodeId,
          address: node.address,
          tls: options.tls !== undefined,
          leaseTtl: node.leaseTtl,
          onLost: (e) => (options.onFatal ?? ((err: Error) => console.error(`orbit: ${err.message}`)))(new Error(`node ${node.nodeId} lost its etcd lease: ${e.message}`)),
        });
        node.directory = new Directory(node.membership);
        // A one-shot reminder is held this long by the node delivering it: a call's timeout, a retry after the owner's lease expires, and another timeout.
        node.reminders = new ClusterReminders(node.membership.client, Math.min(2 * node.callTimeoutMs + (node.leaseTtl + 10) * 1000, 3_600_000));
        node.membership.subscribe(() => node.dropDeparted());
        if (node.placement === 'least-loaded') {
          // A report replaces this node's own estimates of what it placed since the last one.
          node.membership.subscribe(() => node.placedSince.clear());
          node.loadReporter = setInterval(() => {
            if (node.runtime !== undefined && !node.closing) node.membership?.setLoad(node.runtime.activations().length).catch(() => {});
          }, LOAD_REPORT_MS);
          node.loadReporter.unref?.();
        }
      }
      const report = options.onError ?? ((e: unknown, where: string) => console.error(`orbit: actor ${where}:`, e));
      node.runtime = ActorRuntime.open({
        // After an abort the lease is gone, so every save is refused by its fence: that is the point, not news.
        onError: (e, where) => {
          if (!(node.aborted && e instanceof ActorError && e.code === 'claim_lost')) report(e, where);
        },
        dataDir: options.dataDir,
        actors: options.actors,
        stateStore: node.directory,
        reminderStore: node.reminders,
        claims: node.directory,
        client: node,
        callTimeoutMs: node.callTimeoutMs,
        ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
        ...(options.maxActivations !== undefined ? { maxActivations: options.maxActivations } : {}),
        ...(options.sync !== undefined ? { sync: options.sync } : {}),
      });
      await node.reminders?.start(node.reminderHost(report));
    } catch (e) {
      await node.reminders?.close();
      await node.runtime?.close();
      await node.listener.close(0);
      await node.membership?.close();
      throw e;
    }
    return node;
  }

  /** The bound gRPC port. */
  get port(): number {
    return this.listener.port;
  }

  /** Whether this node is part of an etcd cluster. */
  get clustered(): boolean {
    return this.directory !== undefined;
  }

  /** A typed proxy whose calls are routed like remote ones (to the owner, wherever it is). */
  actorOf<A extends Actor<unknown>>(cls: ActorClass<A>, key?: ActorKey): ActorRef<A> {
    // A ref handed out before was validated then: the common repeated call is one lookup.
    let byKey = this.refCache.get(cls);
    const cached = byKey?.get(key);
    if (cached !== undefined) return cached as ActorRef<A>;
    // Validates the key and registers the class.
    this.runtime.actorOf(cls, key);
    let proto = this.refProtos.get(cls.type);
    if (!proto) {
      const p: Record<string, (this: { [KEY]: ActorKey | undefined }, ...args: unknown[]) => Promise<unknown>> = {};
      const node = this;
      for (const method of actorMethods(cls as unknown as ActorClass)) {
        p[method] = function (...args: unknown[]) {
          return node.invoke({ type: cls.type, key: this[KEY], method, args, hops: 0 });
        };
      }
      proto = p;
      this.refProtos.set(cls.type, proto);
    }
    if (byKey === undefined) this.refCache.set(cls, (byKey = new Map()));
    if (byKey.size >= REF_CACHE_PER_TYPE) byKey.clear();
    const ref = Object.create(proto, { [KEY]: { value: key } }) as object;
    byKey.set(key, ref);
    return ref as ActorRef<A>;
  }

  // ─── Routing ─────────────────────────────────────────────────────────────

  /** Runs a call here or on the actor's owner; see the class comment. */
  invoke(c: ActorInvocation): Promise<unknown> {
    if (this.runtime === undefined || this.closing) return Promise.reject(new ActorError('node_unavailable', `${this.nodeId} is not serving`));
    if (!this.directory || c.key === undefined) return this.runtime.callByName(c.type, c.key, c.method, c.args);
    // Most calls go to actors this node hosts: one lookup, no directory.
    const here = this.runtime.callHosted(c.type, c.key, c.method, c.args);
    if (here !== undefined) return this.settleLocal(here, c, false);
    if (!this.runtime.classOf(c.type)) return Promise.reject(new ActorError('unknown_type', c.type));
    return this.route(c, false, true);
  }

  /** `checkedHere`: the caller just found the actor not hosted here. */
  private async route(c: ActorInvocation, retried: boolean, checkedHere = false): Promise<unknown> {
    const key = c.key!;
    const here = checkedHere ? undefined : this.runtime.callHosted(c.type, key, c.method, c.args);
    if (here !== undefined) return this.settleLocal(here, c, retried);
    const members = this.membership!.members;
    let target = this.owners.get(ownerKey(c.type, key)) ?? (await this.directory!.owner(c.type, key));
    // A claim whose node has left is about to vanish with its lease; place the actor afresh. (Unless
    // that node has only just joined and the watch has not told us yet.)
    if (target !== undefined && !members.has(target) && !(await this.membership!.refresh(target))) target = undefined;
    // A forwarded call, or a retry after re-resolving, is claimed where it is: the fallback when placement disagrees.
    if (target === undefined) target = (c.hops > 0 || retried) && !this.directory!.draining ? this.nodeId : this.place(identity(c.type, key));
    if (target === this.nodeId) return this.local(c, retried);
    return this.forward(target, c, retried);
  }

  private local(c: ActorInvocation, retried: boolean): Promise<unknown> {
    return this.settleLocal(this.runtime.callByName(c.type, c.key, c.method, c.args), c, retried);
  }

  /** The result of a call run here; a claim found to be another node's sends it there. */
  private async settleLocal(call: Promise<unknown>, c: ActorInvocation, retried: boolean): Promise<unknown> {
    try {
      return await call;
    } catch (e) {
      if (!(e instanceof NotOwnerError)) throw e;
      if (this.membership!.members.has(e.owner) || (await this.membership!.refresh(e.owner))) return this.forward(e.owner, c, retried);
      // Released meanwhile, or this node is draining: resolve again, once.
      if (!retried) return this.route(c, true);
      throw e;
    }
  }

  private async forward(target: string, c: ActorInvocation, retried: boolean): Promise<unknown> {
    const id = ownerKey(c.type, c.key!);
    if (c.hops >= MAX_HOPS) throw new ActorError('not_owner', `${c.type} ${JSON.stringify(c.key)} still moving after ${MAX_HOPS} forwards`);
    const member = this.membership!.members.get(target);
    if (!member) {
      this.owners.delete(id);
      if (!retried) return this.route(c, true);
      throw new ActorError('node_unavailable', target);
    }
    // A plain-text node and a TLS node cannot connect: say so now rather than fail over slowly.
    if (member.tls !== (this.tls !== undefined)) throw this.tlsMismatch(member);
    try {
      const result = await this.peer(member).call({ ...c, hops: c.hops + 1 });
      if (this.owners.get(id) !== target) {
        if (this.owners.size >= MAX_CACHED_OWNERS) this.owners.clear();
        this.owners.set(id, target);
      }
      return result;
    } catch (e) {
      if (!(e instanceof ActorError && e.retriable)) throw e;
      this.owners.delete(id);
      if (retried) throw e;
      // A dead node's claims go when its lease expires: wait for that (bounded), then resolve again.
      if (e.code === 'node_unavailable') await this.membership!.waitGone(target, (this.leaseTtl + 1) * 1000);
      return this.route(c, true);
    }
  }

  private tlsMismatch(member: Member): ActorError {
    const how = member.tls ? 'uses TLS and this node does not (configure protocols.grpc.tls here too)' : 'speaks plain text and this node uses TLS (configure protocols.grpc.tls there too)';
    return new ActorError('tls_mismatch', `${member.id} at ${member.address} ${how}`);
  }

  /**
   * Rendezvous hashing over the live members that are not draining (all members if every one is);
   * under least-loaded placement, over those of them with the fewest activations (as reported,
   * plus what this node placed on them since).
   */
  private place(id: string, skip?: ReadonlySet<string>): string {
    const members = [...this.membership!.members.values()].filter((m) => !skip?.has(m.id));
    // This node's own registration may not have come back through the watch yet.
    const draining = this.directory?.draining === true;
    const open = members.filter((m) => !m.draining && !(draining && m.id === this.nodeId));
    let candidates = open.length > 0 ? open : members;
    if (this.placement === 'least-loaded' && candidates.length > 1) {
      const load = (m: Member): number => m.activations + (this.placedSince.get(m.id) ?? 0);
      const least = Math.min(...candidates.map(load));
      candidates = candidates.filter((m) => load(m) === least);
    }
    const target = placeActor(id, candidates.map((m) => m.id)) ?? this.nodeId;
    if (this.placement === 'least-loaded') this.placedSince.set(target, (this.placedSince.get(target) ?? 0) + 1);
    return target;
  }

  /** How the cluster's reminders reach actors from this node: delivered like calls, so they run where the actor is. */
  private reminderHost(onError: (error: unknown, where: string) => void): ReminderHost {
    return {
      knows: (type) => this.runtime.classOf(type) !== undefined,
      // Placement's pure part (no least-loaded bookkeeping): a hint of who goes first, not a claim.
      first: (type, key) => this.runtime.hosts(type, key) || placeActor(identity(type, key), [...this.membership!.members.values()].filter((m) => !m.draining).map((m) => m.id)) === this.nodeId,
      deliver: (type, key, name) => this.invoke({ type, key, method: 'onReminder', args: [name], hops: 0 }),
      onError,
    };
  }

  private peer(member: Member): PeerChannel {
    const known = this.peerOf.get(member);
    if (known !== undefined && this.peers.get(known.name) === known.channel) return known.channel;
    const name = `${member.id}@${member.address}`;
    let p = this.peers.get(name);
    if (!p) {
      // The owner's own call timeout runs first; this margin covers forwarding and the network.
      p = new PeerChannel(member.address, this.callTimeoutMs + 5_000, this.tls);
      this.peers.set(name, p);
    }
    this.peerOf.set(member, { name, channel: p });
    return p;
  }
  /** The channel last used for a member record (saves building its name per call); checked against `peers`. */
  private readonly peerOf = new WeakMap<Member, { name: string; channel: PeerChannel }>();

  private dropDeparted(): void {
    const members = this.membership!.members;
    for (const [name, p] of this.peers) {
      const id = name.slice(0, name.lastIndexOf('@'));
      if (members.get(id)?.address !== p.address) {
        p.close();
        this.peers.delete(name);
      }
    }
  }

  // ─── Cluster services ────────────────────────────────────────────────────

  async nodes(): Promise<NodeInfoMessage[]> {
    const here = this.runtime.activations().length;
    if (!this.membership) return [{ id: this.nodeId, address: this.address, draining: false, activations: here, self: true }];
    return [...this.membership.members.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((m) => ({ id: m.id, address: m.address, draining: m.draining, activations: m.id === this.nodeId ? here : 0, self: m.id === this.nodeId }));
  }

  async activations(type: string): Promise<Claim[]> {
    if (this.directory) return this.directory.claims(type || undefined);
    return this.runtime
      .activations()
      .filter((a) => !type || a.type === type)
      .map((a) => ({ ...a, node: this.nodeId }));
  }

  /**
   * Takes no new activations from now on and deactivates the current ones (state saved, claims
   * released). In a cluster each released actor is handed off: the node placement now picks among
   * the live, non-draining members is asked to activate it at once, so the next call finds it live.
   */
  async drain(): Promise<DrainReport> {
    if (!this.directory) return { deactivated: await this.runtime.deactivateAll(), handedOff: 0 };
    this.directory.draining = true;
    await this.membership!.setDraining(true);
    let deactivated = 0;
    let handedOff = 0;
    await Promise.all(
      this.runtime.activations().map(async ({ type, key }) => {
        // False when it was already on its way out (idle, evicted): that deactivation hands nothing off.
        if (!(await this.runtime.deactivateActor(type, key))) return;
        deactivated++;
        if (await this.handOff(type, key)) handedOff++;
      }),
    );
    // Stateless workers, and anything that began activating before the drain was flagged.
    deactivated += await this.runtime.deactivateAll();
    return { deactivated, handedOff };
  }

  /**
   * Asks the node placement picks to activate a released actor; whether another node now hosts it.
   * A member that fails (it may have died before the watch reported it) is skipped once for the
   * next one placement picks.
   */
  private async handOff(type: string, key: ActorKey): Promise<boolean> {
    const failed = new Set<string>();
    for (let attempt = 0; attempt < 2; attempt++) {
      const target = this.place(identity(type, key), failed);
      const member = this.membership!.members.get(target);
      // Every other member draining too: placement fell back to them all, and they would refuse.
      if (target === this.nodeId || !member || member.draining || member.tls !== (this.tls !== undefined)) return false;
      try {
        const at = await this.peer(member).activate(type, key);
        if (at === this.nodeId) return false;
        if (this.owners.size >= MAX_CACHED_OWNERS) this.owners.clear();
        this.owners.set(ownerKey(type, key), at);
        return true;
      } catch {
        failed.add(target);
      }
    }
    // The actor is saved and released: it activates on its next call instead.
    return false;
  }

  /** Activates an actor here without calling it; resolves with the node hosting it (another one if it holds the claim). */
  async activate(type: string, key: ActorKey): Promise<string> {
    if (this.runtime === undefined || this.closing) throw new ActorError('node_unavailable', `${this.nodeId} is not serving`);
    try {
      await this.runtime.activateActor(type, key);
      return this.nodeId;
    } catch (e) {
      if (e instanceof NotOwnerError && this.membership !== undefined && (await this.membership.refresh(e.owner))) return e.owner;
      throw e;
    }
  }

  /** Whether this node hosts a keyed actor now (live, its claim held): work for it may run here without a call. */
  hostsLive(type: string, key: ActorKey): boolean {
    return this.runtime !== undefined && !this.closing && this.runtime.isLive(type, key);
  }

  /** Deactivates an actor this node hosts (state saved, claim released); false when it is not hosted here. */
  deactivate(type: string, key: ActorKey): Promise<boolean> {
    return this.runtime.deactivateActor(type, key);
  }

  /** The local runtime's counters and gauges (activations, calls, latency, mailbox depth, reminders run here). */
  stats(): ActorStats {
    return this.runtime.stats();
  }

  health(): HealthReplyMessage {
    return { status: this.closing ? 'NOT_SERVING' : 'SERVING', node_id: this.nodeId, clustered: this.clustered };
  }

  /**
   * Stops at once, as a crash would for the rest of the cluster: the listener drops its
   * connections and the etcd lease is revoked, which frees every claim of this node in one step.
   * Its activations are then dropped; a save they attempt fails, fenced by the claim it no longer
   * holds. For a node that must stop serving now (and for tests of failover).
   */
  async abort(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.aborted = true;
    clearInterval(this.loadReporter);
    await this.reminders?.close();
    await this.listener.close(0);
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    await this.membership?.revoke();
    await this.runtime.close();
    await this.membership?.close();
  }

  /** Stops serving, deactivates every actor (saving state, releasing claims), then leaves the cluster. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.loadReporter);
    await this.reminders?.close();
    await this.listener.close(2_000);
    await this.runtime.close();
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    await this.membership?.close();
  }
}
