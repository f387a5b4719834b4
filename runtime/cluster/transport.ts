// gRPC transport: the server side of proto/orbit.proto and the batched channel a node keeps to each peer.
//
// A call to a remote actor joins the peer's outbox; the outbox goes out as one `CallBatch` on the
// peer's long-lived `InvokeStream` once per event-loop turn (setImmediate), or as soon as it holds
// BATCH_MAX calls, and the peer answers with `ReplyBatch`es gathered the same way, so many small
// calls share one message each way while both sides keep working (a turn's calls are not held back
// until its end: the peer starts on the first batch while later ones are built).
import * as grpc from '@grpc/grpc-js';
import type { ActorKey } from '../actors/actor.ts';
import { Deadlines } from '../actors/deadlines.ts';
import { ACTOR_ERRORS, ActorError, type ActorErrorCode } from '../actors/errors.ts';
import { decodeValue, encodeValue } from './codec.ts';
import type { Claim } from './directory.ts';
import {
  CHANNEL_OPTIONS,
  orbitServices,
  type ActivateRequestMessage,
  type ActivationInfoMessage,
  type ActorCallMessage,
  type ActorFaultMessage,
  type ActorReplyMessage,
  type CallBatchMessage,
  type DrainReplyMessage,
  type HealthReplyMessage,
  type NodeInfoMessage,
  type ReplyBatchMessage,
} from './proto.ts';
import { channelCredentials, isTlsFailure, serverCredentials, type ClientTls, type NodeTls } from './tls.ts';

/** Calls (or replies) per batch message: a full one is written at once instead of at the end of the turn. */
const BATCH_MAX = 128;

/** A decoded call, as a node routes it. */
export interface ActorInvocation {
  readonly type: string;
  readonly key: ActorKey | undefined;
  readonly method: string;
  readonly args: readonly unknown[];
  /** Forwards so far (0 for a call that entered the cluster here). */
  readonly hops: number;
}

/** What a drain did: activations deactivated, and how many of them another node activated at once. */
export interface DrainReport {
  readonly deactivated: number;
  readonly handedOff: number;
}

/** What a node answers on its gRPC services. */
export interface NodeHandler {
  invoke(call: ActorInvocation): Promise<unknown>;
  nodes(): Promise<NodeInfoMessage[]>;
  activations(type: string): Promise<Claim[]>;
  drain(): Promise<DrainReport>;
  /** Activates the actor here without a call; resolves with the node hosting it. */
  activate(type: string, key: ActorKey): Promise<string>;
  health(): HealthReplyMessage;
}

/** An error an actor method threw on another node: its class name, message and SQLSTATE survive the trip. */
export class RemoteActorError extends Error {
  constructor(
    message: string,
    override readonly name: string,
    readonly sqlstate: string,
  ) {
    super(message);
  }
}

/** Any thrown value as an `ActorFault`. */
export function toFault(e: unknown): ActorFaultMessage {
  if (e instanceof ActorError) return { code: e.code, message: e.message, sqlstate: e.sqlstate, retriable: e.retriable, name: e.name };
  const err = e instanceof Error ? e : new Error(String(e));
  const sqlstate = (err as { sqlstate?: unknown }).sqlstate;
  // P0001 is PostgreSQL's raise_exception: an error the application raised itself.
  return { code: 'actor_error', message: err.message, sqlstate: typeof sqlstate === 'string' ? sqlstate : 'P0001', retriable: false, name: err.name };
}

/** The error a fault stands for: an `ActorError` for the runtime's own codes, else a `RemoteActorError`. */
export function fromFault(f: ActorFaultMessage): Error {
  if (Object.hasOwn(ACTOR_ERRORS, f.code)) {
    const e = new ActorError(f.code as ActorErrorCode);
    e.message = f.message;
    return e;
  }
  return new RemoteActorError(f.message, f.name || 'Error', f.sqlstate || 'P0001');
}

/** The key fields of a call or activation message. */
export function keyFields(key: ActorKey | undefined): { string_key?: string; number_key?: number } {
  if (key === undefined) return {};
  return typeof key === 'number' ? { number_key: key } : { string_key: key };
}

function keyOf(m: { key?: string; string_key?: string; number_key?: number }): ActorKey | undefined {
  if (m.key === 'string_key') return m.string_key;
  if (m.key === 'number_key') return m.number_key;
  return undefined;
}

/** Decodes and runs one call; never rejects (failures become the reply's fault). */
async function answer(handler: NodeHandler, c: ActorCallMessage): Promise<ActorReplyMessage> {
  try {
    const args = decodeArgs(c.args);
    const result = await handler.invoke({ type: c.type, key: keyOf(c), method: c.method, args, hops: c.hops });
    return { id: c.id, result: encodeValue(result) };
  } catch (e) {
    return { id: c.id, fault: toFault(e) };
  }
}

function decodeArgs(bytes: Uint8Array): unknown[] {
  let args: unknown;
  try {
    args = decodeValue(bytes);
  } catch (e) {
    throw new ActorError('invalid_call', `arguments are not MessagePack: ${(e as Error).message}`);
  }
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw new ActorError('invalid_call', 'arguments must be a MessagePack array');
  return args;
}

function activationMessage(c: Claim): ActivationInfoMessage {
  return { type: c.type, ...keyFields(c.key), node: c.node };
}

const unavailable = (e: unknown): Partial<grpc.StatusObject> => ({ code: grpc.status.UNAVAILABLE, details: e instanceof Error ? e.message : String(e) });

/** A bound gRPC server. */
export interface GrpcListener {
  readonly port: number;
  /** Stops taking calls; in-flight ones get up to `graceMs` to finish. */
  close(graceMs?: number): Promise<void>;
}

/** Serves the Actors, Cluster and Health services of `handler` on host:port (0: ephemeral), over TLS when `tls` is given. */
export async function serveGrpc(handler: NodeHandler, host: string, port: number, tls?: NodeTls): Promise<GrpcListener> {
  const s = orbitServices();
  const server = new grpc.Server(CHANNEL_OPTIONS);
  // A peer's InvokeStream stays open while idle; on close each one is ended once its calls are
  // answered, so an orderly shutdown need not wait out its whole grace period for them.
  const openStreams = new Set<() => void>();
  server.addService(s.Actors.service, {
    Invoke: (call: grpc.ServerUnaryCall<ActorCallMessage, ActorReplyMessage>, done: grpc.sendUnaryData<ActorReplyMessage>) => {
      void answer(handler, call.request).then((r) => done(null, r));
    },
    InvokeStream: (duplex: grpc.ServerDuplexStream<CallBatchMessage, ReplyBatchMessage>) => {
      let out: ActorReplyMessage[] = [];
      let scheduled = false;
      let inflight = 0;
      let ended = false;
      let dead = false;
      const flush = (): void => {
        scheduled = false;
        if (dead) return;
        if (out.length > 0) {
          duplex.write({ replies: out });
          out = [];
        }
        if (ended && inflight === 0) {
          dead = true;
          openStreams.delete(finish);
          duplex.end();
        }
      };
      const schedule = (): void => {
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      };
      duplex.on('data', (batch: CallBatchMessage) => {
        for (const c of batch.calls) {
          inflight++;
          void answer(handler, c).then((r) => {
            inflight--;
            out.push(r);
            // A full batch goes at once, so the caller works on it while the rest are answered.
            if (out.length >= BATCH_MAX && !dead) {
              duplex.write({ replies: out });
              out = [];
            }
            schedule();
          });
        }
      });
      const finish = (): void => {
        ended = true;
        schedule();
      };
      openStreams.add(finish);
      duplex.on('end', finish);
      duplex.on('error', () => {
        dead = true;
        openStreams.delete(finish);
      });
      duplex.on('cancelled', () => {
        dead = true;
        openStreams.delete(finish);
      });
    },
  });
  server.addService(s.Cluster.service, {
    Nodes: (_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<{ nodes: NodeInfoMessage[] }>) => {
      handler.nodes().then(
        (nodes) => done(null, { nodes }),
        (e: unknown) => done(unavailable(e), null),
      );
    },
    Activations: (call: grpc.ServerUnaryCall<{ type: string }, unknown>, done: grpc.sendUnaryData<{ activations: ActivationInfoMessage[] }>) => {
      handler.activations(call.request.type).then(
        (claims) => done(null, { activations: claims.map(activationMessage) }),
        (e: unknown) => done(unavailable(e), null),
      );
    },
    Drain: (_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<DrainReplyMessage>) => {
      handler.drain().then(
        (r) => done(null, { deactivated: r.deactivated, handed_off: r.handedOff }),
        (e: unknown) => done(unavailable(e), null),
      );
    },
    Activate: (call: grpc.ServerUnaryCall<ActivateRequestMessage, unknown>, done: grpc.sendUnaryData<{ node: string }>) => {
      const key = keyOf(call.request);
      if (key === undefined) {
        done({ code: grpc.status.INVALID_ARGUMENT, details: 'Activate needs an actor key' }, null);
        return;
      }
      handler.activate(call.request.type, key).then(
        (node) => done(null, { node }),
        (e: unknown) => done({ code: e instanceof ActorError && e.retriable ? grpc.status.UNAVAILABLE : grpc.status.FAILED_PRECONDITION, details: e instanceof Error ? e.message : String(e) }, null),
      );
    },
  });
  server.addService(s.Health.service, {
    Check: (_call: grpc.ServerUnaryCall<unknown, unknown>, done: grpc.sendUnaryData<HealthReplyMessage>) => done(null, handler.health()),
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, serverCredentials(tls), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port: bound,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
        for (const finish of [...openStreams]) finish();
      }),
  };
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** Its deadline: the slot and callback to remove from `deadlines` once the reply comes. */
  slot: number;
  expire: () => void;
}

/** Deadlines of the calls every peer channel has in flight. */
const deadlines = new Deadlines();

/** One open InvokeStream with the calls written to it (or about to be) and not yet answered. */
interface OpenStream {
  readonly duplex: grpc.ClientDuplexStream<CallBatchMessage, ReplyBatchMessage>;
  readonly pending: Map<number, Waiter>;
  outbox: ActorCallMessage[];
  dead: boolean;
}

/** One gRPC channel to a peer node; calls are batched per event-loop turn on one stream. */
export class PeerChannel {
  private readonly client: grpc.Client;
  /** The peer's Cluster service on the same channel (grpc-js shares channels with equal target, credentials and options). */
  private readonly cluster: grpc.Client;
  private stream: OpenStream | undefined;
  private scheduled = false;
  private nextId = 1;

  /**
   * `timeoutMs`: a call with no reply by then fails with `call_timeout` (the owner's own timeout
   * plus a margin). `tls`: the CA and this node's own certificate, when the cluster uses TLS.
   */
  constructor(
    readonly address: string,
    private readonly timeoutMs: number,
    tls?: ClientTls,
  ) {
    const { credentials, options } = channelCredentials(address, tls);
    const s = orbitServices();
    this.client = new s.Actors(address, credentials, { ...CHANNEL_OPTIONS, ...options });
    this.cluster = new s.Cluster(address, credentials, { ...CHANNEL_OPTIONS, ...options });
  }

  /** Asks the peer to activate an actor now (a drain's hand-off); resolves with the node that hosts it. */
  activate(type: string, key: ActorKey): Promise<string> {
    const request: ActivateRequestMessage = { type, ...keyFields(key) };
    const call = (this.cluster as unknown as { Activate(r: ActivateRequestMessage, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: { node: string }) => void): void }).Activate;
    return new Promise((resolve, reject) => {
      call.call(this.cluster, request, { deadline: Date.now() + this.timeoutMs }, (e, r) => (e ? reject(new ActorError('node_unavailable', `${this.address}: ${e.details || e.message}`)) : resolve(r.node)));
    });
  }

  /**
   * Sends one call. If the stream fails before the reply (the peer died or is unreachable), the
   * call fails with the retriable `ActorError('node_unavailable')`.
   */
  call(c: ActorInvocation): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const stream = this.open();
      const id = this.nextId++;
      const expire = (): void => {
        if (stream.pending.delete(id)) reject(new ActorError('call_timeout', `${c.type}.${c.method} on ${this.address} gave no answer within ${this.timeoutMs} ms`));
      };
      stream.pending.set(id, { resolve, reject, slot: deadlines.add(Date.now() + this.timeoutMs, expire), expire });
      stream.outbox.push({ id, type: c.type, ...keyFields(c.key), method: c.method, args: encodeValue(c.args), hops: c.hops });
      // A full batch goes at once, so the peer works on it while this turn adds more.
      if (stream.outbox.length >= BATCH_MAX) this.flush();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const s = this.stream;
    if (!s || s.dead || s.outbox.length === 0) return;
    s.duplex.write({ calls: s.outbox });
    s.outbox = [];
  }

  private open(): OpenStream {
    if (this.stream && !this.stream.dead) return this.stream;
    const duplex = (this.client as unknown as { InvokeStream(): grpc.ClientDuplexStream<CallBatchMessage, ReplyBatchMessage> }).InvokeStream();
    const s: OpenStream = { duplex, pending: new Map(), outbox: [], dead: false };
    duplex.on('data', (batch: ReplyBatchMessage) => {
      for (const r of batch.replies) {
        const w = s.pending.get(r.id);
        if (!w) continue;
        s.pending.delete(r.id);
        deadlines.remove(w.slot, w.expire);
        if (r.fault) w.reject(fromFault(r.fault));
        else w.resolve(decodeValue(r.result ?? new Uint8Array(0)));
      }
    });
    const fail = (why: string): void => {
      if (s.dead) return;
      s.dead = true;
      if (this.stream === s) this.stream = undefined;
      // A refused handshake stays refused until someone fixes certificates: not worth a retry.
      const code = isTlsFailure(why) ? 'tls_mismatch' : 'node_unavailable';
      for (const w of s.pending.values()) {
        deadlines.remove(w.slot, w.expire);
        w.reject(new ActorError(code, `${this.address}: ${why}`));
      }
      s.pending.clear();
    };
    duplex.on('error', (e: Error) => fail(e.message));
    duplex.on('end', () => fail('stream ended'));
    this.stream = s;
    return s;
  }

  /** Fails what is in flight and closes the channel. */
  close(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) s.duplex.cancel();
    this.client.close();
    this.cluster.close();
  }
}
