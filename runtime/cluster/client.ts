// A gRPC client of one Orbit node, for the command line and for programs outside the cluster.
import * as grpc from '@grpc/grpc-js';
import type { ActorKey } from '../actors/actor.ts';
import { decodeValue, encodeValue } from './codec.ts';
import {
  CHANNEL_OPTIONS,
  orbitServices,
  type ActivationInfoMessage,
  type ActorCallMessage,
  type ActorReplyMessage,
  type DrainReplyMessage,
  type HealthReplyMessage,
  type NodeInfoMessage,
} from './proto.ts';
import { channelCredentials, explainConnectFailure, type ClientTls } from './tls.ts';
import { fromFault, keyFields, type DrainReport } from './transport.ts';

/** A member as `Nodes` reports it. */
export type NodeRow = NodeInfoMessage;

/** A claimed actor as `Activations` reports it. */
export interface ActivationRow {
  readonly type: string;
  readonly key: ActorKey;
  readonly node: string;
}

export interface HealthRow {
  readonly status: HealthReplyMessage['status'];
  readonly nodeId: string;
  readonly clustered: boolean;
}

type Unary<Req, Res> = (request: Req, options: grpc.CallOptions, done: (err: grpc.ServiceError | null, res: Res) => void) => void;

/** Talks to one node (host:port); the node routes actor calls to wherever the actor lives. */
export class OrbitClient {
  private readonly actors: grpc.Client;
  private readonly cluster: grpc.Client;
  private readonly healthClient: grpc.Client;

  constructor(
    readonly address: string,
    /** Deadline of each request, ms. */
    private readonly timeoutMs = 60_000,
    /** TLS to a node whose listener uses it: the CA that signed its certificate, and a client certificate for mutual TLS. */
    private readonly tls?: ClientTls,
  ) {
    const s = orbitServices();
    const { credentials, options } = channelCredentials(address, tls);
    const channelOptions = { ...CHANNEL_OPTIONS, ...options };
    this.actors = new s.Actors(address, credentials, channelOptions);
    // The three clients share one channel (grpc-js pools channels with equal target, credentials and options).
    this.cluster = new s.Cluster(address, credentials, channelOptions);
    this.healthClient = new s.Health(address, credentials, channelOptions);
  }

  private unary<Req, Res>(client: grpc.Client, method: string, request: Req): Promise<Res> {
    const fn = (client as unknown as Record<string, Unary<Req, Res>>)[method]!.bind(client);
    return new Promise((resolve, reject) => {
      fn(request, { deadline: Date.now() + this.timeoutMs }, (err, res) =>
        err ? reject(new Error(`${this.address}: ${explainConnectFailure(err.details || err.message, this.tls !== undefined)}`)) : resolve(res),
      );
    });
  }

  /** Calls `method` on actor (type, key) with `args`; rejects with the actor's error (an `ActorError` for runtime failures). */
  async call(type: string, key: ActorKey | undefined, method: string, args: readonly unknown[] = []): Promise<unknown> {
    const request: Omit<ActorCallMessage, 'id' | 'key'> = { type, ...keyFields(key), method, args: encodeValue(args), hops: 0 };
    const reply = await this.unary<typeof request, ActorReplyMessage>(this.actors, 'Invoke', request);
    if (reply.fault) throw fromFault(reply.fault);
    return decodeValue(reply.result ?? new Uint8Array(0));
  }

  async nodes(): Promise<NodeRow[]> {
    return (await this.unary<object, { nodes: NodeInfoMessage[] }>(this.cluster, 'Nodes', {})).nodes;
  }

  async activations(type = ''): Promise<ActivationRow[]> {
    const r = await this.unary<{ type: string }, { activations: ActivationInfoMessage[] }>(this.cluster, 'Activations', { type });
    return r.activations.map((a) => ({ type: a.type, key: (a.key === 'number_key' ? a.number_key : a.string_key) as ActorKey, node: a.node }));
  }

  /** Drains the node; resolves with how many activations it deactivated and how many of those other nodes took at once. */
  async drain(): Promise<DrainReport> {
    const r = await this.unary<object, DrainReplyMessage>(this.cluster, 'Drain', {});
    return { deactivated: r.deactivated, handedOff: r.handed_off };
  }

  async health(): Promise<HealthRow> {
    const r = await this.unary<object, HealthReplyMessage>(this.healthClient, 'Check', {});
    return { status: r.status, nodeId: r.node_id, clustered: r.clustered };
  }

  close(): void {
    this.actors.close();
    this.cluster.close();
    this.healthClient.close();
  }
}
