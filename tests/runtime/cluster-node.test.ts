// Two actor nodes in one process on a real etcd: actor-to-actor calls across nodes, drain, batched forwarding, bad input.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ActorError } from '../../runtime/index.ts';
import { ActorNode, OrbitClient } from '../../runtime/cluster/index.ts';
import { encodeValue } from '../../runtime/cluster/codec.ts';
import { orbitServices, type ActorReplyMessage } from '../../runtime/cluster/proto.ts';
import { Account } from './cluster-accounts.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

/** Where each activation ran, so tests can see placement. */
/**
 * Seconds. These nodes share the test runner's event loop, which other test files may stall for
 * seconds (large collections); no test here waits for a lease to expire, so it can be generous.
 */
const LEASE_TTL = 10;

let etcd: EtcdProcess;
let dir: string;
let a: ActorNode;
let b: ActorNode;

beforeAll(async () => {
  etcd = await startEtcd();
  dir = mkdtempSync(join(tmpdir(), 'orbit-cluster-node-'));
  const start = (id: string) =>
    ActorNode.start({ dataDir: join(dir, id), actors: [Account], host: '127.0.0.1', port: 0, etcd: etcd.url, nodeId: id, leaseTtl: LEASE_TTL, sync: false });
  [a, b] = await Promise.all([start('a'), start('b')]);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('two nodes', () => {
  test('calls from either node reach one activation per actor; actors call actors across nodes', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `acct${i}`);
    // 2,000 concurrent calls, half entering at each node: each actor ends at exactly 10 deposits.
    await Promise.all(keys.flatMap((k, i) => Array.from({ length: 10 }, (_, j) => ((i + j) % 2 ? a : b).actorOf(Account, k).deposit(1))));
    const balances = await Promise.all(keys.map((k) => a.actorOf(Account, k).balance()));
    expect(balances).toEqual(keys.map(() => 10));
    const client = new OrbitClient(`127.0.0.1:${a.port}`);
    const claims = await client.activations('Account');
    client.close();
    expect(claims.length).toBe(200);
    const onA = claims.filter((c) => c.node === 'a');
    const onB = claims.filter((c) => c.node === 'b');
    expect(onA.length).toBeGreaterThan(0);
    expect(onB.length).toBeGreaterThan(0);

    // A transfer from an actor on a to one on b, started through b.
    const from = String(onA[0]!.key);
    const to = String(onB[0]!.key);
    expect(await b.actorOf(Account, from).transfer(to, 4)).toBe(6);
    expect(await a.actorOf(Account, to).balance()).toBe(14);

    // An error thrown on another node keeps its class name and message.
    const err = await b.actorOf(Account, from).fail().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('RangeError');
    expect(err?.message).toBe('no such thing');
  }, 60_000);

  test('drain hands a node\'s actors off with their saved state and keeps new ones away', async () => {
    const client = new OrbitClient(`127.0.0.1:${b.port}`);
    try {
      const before = (await client.activations('Account')).filter((c) => c.node === 'b');
      expect(before.length).toBeGreaterThan(0);
      const drained = await client.drain();
      expect(drained.deactivated).toBeGreaterThanOrEqual(before.length);
      // a is the only open member: each actor went there right after its release, before any call.
      expect(drained.handedOff).toBe(before.length);
      const handed = new Map((await client.activations('Account')).map((c) => [c.key, c.node]));
      for (const c of before) expect(handed.get(c.key)).toBe('a');
      expect((await client.nodes()).find((n) => n.id === 'b')?.draining).toBe(true);
      // Called through the draining node itself, every actor answers from a with its saved balance.
      for (const c of before) expect(await client.call('Account', c.key, 'balance')).toBeGreaterThanOrEqual(10);
      expect((await client.activations('Account')).every((c) => c.node === 'a')).toBe(true);
      expect(await b.actorOf(Account, 'fresh-after-drain').deposit(1)).toBe(1);
      expect((await client.activations('Account')).find((c) => c.key === 'fresh-after-drain')?.node).toBe('a');
    } finally {
      client.close();
    }
  }, 60_000);

  test('malformed calls get a fault in the reply; the node keeps serving', async () => {
    const Actors = orbitServices().Actors;
    const raw = new Actors(`127.0.0.1:${a.port}`, grpc.credentials.createInsecure());
    const invoke = (args: Uint8Array, type = 'Account', method = 'balance') =>
      new Promise<ActorReplyMessage>((resolve, reject) =>
        (raw as unknown as { Invoke(r: object, cb: (e: Error | null, r: ActorReplyMessage) => void): void }).Invoke(
          { type, string_key: 'acct1', method, args, hops: 0 },
          (e, r) => (e ? reject(e) : resolve(r)),
        ),
      );
    try {
      expect((await invoke(new Uint8Array([0xc1]))).fault).toMatchObject({ code: 'invalid_call', sqlstate: '22023', retriable: false });
      expect((await invoke(encodeValue({ not: 'an array' }))).fault).toMatchObject({ code: 'invalid_call' });
      expect((await invoke(encodeValue([]), 'Account', 'constructor')).fault).toMatchObject({ code: 'unknown_method', sqlstate: '42883' });
      expect((await invoke(encodeValue([]), 'Nope')).fault).toMatchObject({ code: 'unknown_type', sqlstate: '42704' });
      const ok = await invoke(encodeValue([]));
      expect(ok.fault).toBeUndefined();
      expect(ok.result).toBeDefined();
    } finally {
      raw.close();
    }
    const client = new OrbitClient(`127.0.0.1:${a.port}`);
    const e = await client.call('Account', 12.5, 'nope').then(
      () => undefined,
      (x: unknown) => x,
    );
    client.close();
    expect(e).toBeInstanceOf(ActorError);
  });
});
