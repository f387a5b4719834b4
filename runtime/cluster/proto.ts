// proto/orbit.proto loaded at run time with @grpc/proto-loader, and the TypeScript shapes of its messages.
//
// proto-loader reads the .proto text itself (no generated code to keep in step with it); the
// interfaces below mirror its messages as proto-loader presents them with the options used here:
// field names as written, uint64 as number, enums as their names, oneofs named by a virtual field.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** `ActorCall`: one call to one actor method; `args` is a MessagePack array. */
export interface ActorCallMessage {
  id: number;
  type: string;
  string_key?: string;
  number_key?: number;
  /** Which key field is set (proto-loader's oneof marker); absent for a stateless worker. */
  key?: 'string_key' | 'number_key';
  method: string;
  args: Uint8Array;
  hops: number;
}

/** `ActorFault`. */
export interface ActorFaultMessage {
  code: string;
  message: string;
  sqlstate: string;
  retriable: boolean;
  name: string;
}

/** `ActorReply`: `result` (MessagePack) or `fault`. */
export interface ActorReplyMessage {
  id: number;
  result?: Uint8Array;
  fault?: ActorFaultMessage;
  outcome?: 'result' | 'fault';
}

export interface CallBatchMessage {
  calls: ActorCallMessage[];
}

export interface ReplyBatchMessage {
  replies: ActorReplyMessage[];
}

export interface NodeInfoMessage {
  id: string;
  address: string;
  draining: boolean;
  activations: number;
  self: boolean;
}

export interface ActivationInfoMessage {
  type: string;
  string_key?: string;
  number_key?: number;
  key?: 'string_key' | 'number_key';
  node: string;
}

export interface ActivateRequestMessage {
  type: string;
  string_key?: string;
  number_key?: number;
  key?: 'string_key' | 'number_key';
}

export interface DrainReplyMessage {
  deactivated: number;
  handed_off: number;
}

export interface HealthReplyMessage {
  status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING';
  node_id: string;
  clustered: boolean;
}

/** The three services' constructors (clients) and definitions (servers). */
export interface OrbitServices {
  readonly Actors: grpc.ServiceClientConstructor;
  readonly Cluster: grpc.ServiceClientConstructor;
  readonly Health: grpc.ServiceClientConstructor;
}

let loaded: OrbitServices | undefined;

/** Loads `proto/orbit.proto` once per process. */
export function orbitServices(): OrbitServices {
  if (loaded) return loaded;
  const path = fileURLToPath(new URL('../../proto/orbit.proto', import.meta.url));
  const definition = protoLoader.loadSync(path, { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { orbit: { v1: OrbitServices } };
  loaded = pkg.orbit.v1;
  return loaded;
}

/** Channel options shared by servers and clients: notice a silently dead peer within seconds, allow large batches. */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};
