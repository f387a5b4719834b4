// The actor directory on etcd: claims (which node hosts which actor) and the states every node can read.
//
// A claim is `/orbit/actors/<type>/<key>` = node id, written by a transaction that succeeds only
// if the key does not exist (create_revision == 0) and attached to the claiming node's lease, so
// two nodes never host one actor and a dead node's claims vanish with its lease. States live at
// `/orbit/state/<type>/<key>` (no lease); a save is a transaction that succeeds only while the
// saver's lease still holds the claim, so a node that lost its claim cannot overwrite the state
// its successor loaded.
import { ActorError, type ActivationClaims, type ActorKey, type ActorStateStore } from '../actors/index.ts';
import { decodeState, encodeState, keyText, parseKeyText } from './codec.ts';
import { PREFIX, type Membership } from './membership.ts';

/**
 * Largest encoded state accepted: etcd refuses requests over `--max-request-bytes` (1.5 MiB by
 * default), and a state travels in one request with its key and the transaction around it.
 */
export const MAX_STATE_BYTES = 1024 * 1024;

/** A claim held by another node: the call belongs there. */
export class NotOwnerError extends ActorError {
  constructor(
    readonly owner: string,
    what: string,
  ) {
    super('not_owner', `${what} is on ${owner}`);
  }
}

/** One claimed actor. */
export interface Claim {
  readonly type: string;
  readonly key: ActorKey;
  readonly node: string;
}

const segment = (type: string, key: ActorKey): string => `${encodeURIComponent(type)}/${keyText(key)}`;
const describe = (type: string, key: ActorKey): string => `${type} ${JSON.stringify(key)}`;

/** Claims and states of actors in etcd, on behalf of one member. */
export class Directory implements ActivationClaims, ActorStateStore {
  /** While draining, this node claims nothing new. */
  draining = false;

  constructor(private readonly membership: Membership) {}

  private get client() {
    return this.membership.client;
  }

  /** The node holding the actor's claim, if any. */
  async owner(type: string, key: ActorKey): Promise<string | undefined> {
    const v = await this.client.get(PREFIX.actors + segment(type, key)).string();
    return v ?? undefined;
  }

  /** Claims the actor for this node; throws `NotOwnerError` naming the holder when another node has it. */
  async claim(type: string, key: ActorKey): Promise<void> {
    if (this.draining) throw new NotOwnerError('(draining)', describe(type, key));
    const k = PREFIX.actors + segment(type, key);
    const me = this.membership.nodeId;
    const r = await this.client.if(k, 'Create', '==', 0).then(this.membership.lease.put(k).value(me)).else(this.client.get(k)).commit();
    if (r.succeeded) return;
    const kv = r.responses[0]?.response_range?.kvs[0];
    // Our own claim under our current lease (a release that failed earlier): still ours.
    if (kv && kv.value.toString() === me && kv.lease === this.membership.leaseId) return;
    // Gone between the compare and the read: it was released; the caller routes again.
    throw new NotOwnerError(kv ? kv.value.toString() : '(released)', describe(type, key));
  }

  /** Deletes the claim if this node's lease still holds it. */
  async release(type: string, key: ActorKey): Promise<void> {
    const k = PREFIX.actors + segment(type, key);
    await this.client.if(k, 'Lease', '==', this.membership.leaseId).then(this.client.delete().key(k)).commit();
  }

  async loadState(type: string, key: ActorKey): Promise<unknown> {
    const bytes = await this.client.get(PREFIX.state + segment(type, key)).buffer();
    return bytes === null ? undefined : decodeState(bytes);
  }

  /** Writes the state durably (etcd commits to its WAL on a quorum), only while this node holds the claim. */
  async saveState(type: string, key: ActorKey, state: unknown): Promise<void> {
    const claim = PREFIX.actors + segment(type, key);
    const k = PREFIX.state + segment(type, key);
    let op;
    if (state === undefined) op = this.client.delete().key(k);
    else {
      const bytes = encodeState(state);
      if (bytes.length > MAX_STATE_BYTES) throw new ActorError('state_too_large', `${describe(type, key)}: ${bytes.length} bytes encoded, at most ${MAX_STATE_BYTES}`);
      op = this.client.put(k).value(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
    const r = await this.client.if(claim, 'Lease', '==', this.membership.leaseId).then(op).commit();
    if (!r.succeeded) throw new ActorError('claim_lost', describe(type, key));
  }

  /** Every claim in the cluster (of one type when given), from etcd. */
  async claims(type?: string): Promise<Claim[]> {
    const prefix = PREFIX.actors + (type ? `${encodeURIComponent(type)}/` : '');
    const all = await this.client.getAll().prefix(prefix).strings();
    const out: Claim[] = [];
    for (const [k, node] of Object.entries(all)) {
      const rest = k.slice(PREFIX.actors.length);
      const slash = rest.indexOf('/');
      const key = parseKeyText(rest.slice(slash + 1));
      if (slash < 0 || key === undefined) continue;
      out.push({ type: decodeURIComponent(rest.slice(0, slash)), key, node });
    }
    return out;
  }
}
