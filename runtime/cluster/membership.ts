// Cluster membership on etcd: this node's lease (kept alive), its registration, and a watched view of the live members.
//
// Liveness is etcd's lease: `/orbit/nodes/<id>` is written under the node's lease, so when the
// node stops renewing it (crash, partition) etcd deletes that key and every claim made under the
// same lease in one step. No home-made failure detector: the member list is what etcd holds.
import { Etcd3, type IKeyValue, type Lease, type Watcher } from 'etcd3';

/** Where everything of the cluster lives in etcd. */
export const PREFIX = { nodes: '/orbit/nodes/', actors: '/orbit/actors/', state: '/orbit/state/', reminders: '/orbit/reminders/' } as const;

/** A live member as registered in etcd. */
export interface Member {
  readonly id: string;
  /** host:port of its gRPC listener. */
  readonly address: string;
  /** A draining member takes no new activations. */
  readonly draining: boolean;
  /** Activations it last reported (least-loaded placement; 0 when it does not report). */
  readonly activations: number;
  /** Whether its gRPC listener speaks TLS (a plain-text node cannot call it, nor it a plain-text one). */
  readonly tls: boolean;
}

export interface MembershipOptions {
  /** etcd endpoints, e.g. `http://127.0.0.1:2379` (comma-separated for several). */
  readonly etcd: string;
  readonly nodeId: string;
  /** Advertised gRPC address of this node. */
  readonly address: string;
  /** Whether this node's listener speaks TLS (registered, so peers can tell a mismatch from a failure). */
  readonly tls?: boolean;
  /** Lease time-to-live in seconds: how long a dead node's actors stay unreachable. */
  readonly leaseTtl: number;
  /** Called once if etcd reports the lease lost: this node's claims may already be someone else's. */
  readonly onLost: (error: Error) => void;
}

type Listener = () => void;

/** This node's membership: lease, registration and the watched member list. */
export class Membership {
  readonly members = new Map<string, Member>();
  private readonly listeners = new Set<Listener>();
  private watcher: Watcher | undefined;
  private closed = false;
  private revoked = false;

  private constructor(
    readonly client: Etcd3,
    readonly lease: Lease,
    readonly leaseId: string,
    private readonly options: MembershipOptions,
  ) {}

  /**
   * Grants the lease, registers `/orbit/nodes/<id>` under it (waiting out a previous incarnation's
   * lease if the id is still registered) and starts watching the members.
   */
  static async join(options: MembershipOptions): Promise<Membership> {
    const client = new Etcd3({ hosts: options.etcd.split(',').map((h) => h.trim()) });
    const lease = client.lease(options.leaseTtl);
    let leaseId: string;
    try {
      leaseId = await lease.grant();
    } catch (e) {
      client.close();
      throw new Error(`cannot reach etcd at ${options.etcd}: ${(e as Error).message}`);
    }
    const m = new Membership(client, lease, leaseId, options);
    lease.on('lost', (e: Error) => {
      if (!m.closed && !m.revoked) options.onLost(e);
    });
    try {
      await m.register();
      await m.watchMembers();
    } catch (e) {
      await m.close();
      throw e;
    }
    return m;
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** What this node last wrote into its registration. */
  private draining = false;
  private load = 0;

  private registration(): string {
    return JSON.stringify({ address: this.options.address, draining: this.draining, activations: this.load, tls: this.options.tls === true });
  }

  private async register(): Promise<void> {
    const key = PREFIX.nodes + this.options.nodeId;
    const value = this.registration();
    // A restarted node finds its previous incarnation registered until that lease expires.
    const deadline = Date.now() + (this.options.leaseTtl + 2) * 1000;
    for (;;) {
      const r = await this.client.if(key, 'Create', '==', 0).then(this.lease.put(key).value(value)).commit();
      if (r.succeeded) return;
      if (Date.now() > deadline) throw new Error(`node id "${this.options.nodeId}" is registered by another live node`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Marks this node draining (or not) in its registration, so placement elsewhere skips it. */
  async setDraining(draining: boolean): Promise<void> {
    this.draining = draining;
    await this.lease.put(PREFIX.nodes + this.options.nodeId).value(this.registration());
  }

  /** Reports how many activations this node hosts (when it changed), for least-loaded placement. */
  async setLoad(activations: number): Promise<void> {
    if (activations === this.load) return;
    this.load = activations;
    await this.lease.put(PREFIX.nodes + this.options.nodeId).value(this.registration());
  }

  private async watchMembers(): Promise<void> {
    const listing = await this.client.getAll().prefix(PREFIX.nodes).exec();
    for (const kv of listing.kvs) this.apply(kv, false);
    const from = String(BigInt(listing.header.revision) + 1n);
    this.watcher = await this.client.watch().prefix(PREFIX.nodes).startRevision(from).create();
    this.watcher.on('put', (kv) => this.apply(kv, false));
    this.watcher.on('delete', (kv) => this.apply(kv, true));
  }

  private apply(kv: IKeyValue, deleted: boolean): void {
    const id = kv.key.toString().slice(PREFIX.nodes.length);
    if (deleted) this.members.delete(id);
    else {
      try {
        const v = JSON.parse(kv.value.toString()) as { address?: unknown; draining?: unknown; activations?: unknown; tls?: unknown };
        const activations = typeof v.activations === 'number' && v.activations >= 0 ? v.activations : 0;
        if (typeof v.address === 'string') this.members.set(id, { id, address: v.address, draining: v.draining === true, activations, tls: v.tls === true });
      } catch {
        // A registration this version cannot read is not a member it can call.
      }
    }
    for (const l of this.listeners) l();
  }

  /**
   * Reads `id`'s registration from etcd into the member list, for a node named by a claim that the
   * watch has not delivered yet (it just joined); whether it is a member now.
   */
  async refresh(id: string): Promise<boolean> {
    if (this.members.has(id)) return true;
    const kv = (await this.client.get(PREFIX.nodes + id).exec()).kvs[0];
    if (kv) this.apply(kv, false);
    return this.members.has(id);
  }

  /** Calls `listener` after every change of the member list; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once `nodeId` is no longer a member, or false after `ms`. */
  waitGone(nodeId: string, ms: number): Promise<boolean> {
    if (!this.members.has(nodeId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check: Listener = () => {
        if (this.members.has(nodeId)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        resolve(false);
      }, ms);
      this.listeners.add(check);
    });
  }

  /**
   * Revokes the lease now: registration and every claim go in one step, as if the node had died,
   * while the client stays open (what the node still attempts is refused by the fences).
   */
  async revoke(): Promise<void> {
    this.revoked = true;
    await this.lease.revoke().catch(() => undefined);
  }

  /** Revokes the lease (freeing every claim of this node at once) and closes the etcd client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.cancel().catch(() => undefined);
    await this.lease.revoke().catch(() => undefined);
    this.client.close();
  }
}
