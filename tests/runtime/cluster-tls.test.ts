// TLS between actor nodes (mutual TLS on a real etcd), TLS clients and the command line, and clear refusals of plain text.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ActorError } from '../../runtime/index.ts';
import { ActorNode, clientTls, nodeTls, OrbitClient, type NodeTls } from '../../runtime/cluster/index.ts';
import { loadConfig } from '../../runtime/server/config.ts';
import { Account } from './cluster-accounts.ts';
import { membersSeen } from '../support/cluster-node.ts';
import { startEtcd, type EtcdProcess } from './cluster-etcd.ts';

const root = resolve(import.meta.dir, '../..');
const main = join(root, 'runtime/cli/main.ts');

let dir: string;
let etcd: EtcdProcess;
let a: ActorNode;
let b: ActorNode;
const file = (name: string): string => join(dir, name);

function openssl(args: string[]): void {
  const r = Bun.spawnSync(['openssl', ...args], { cwd: dir, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr.toString()}`);
}

/** A CA, and a certificate it signs for `name` valid for 127.0.0.1 and localhost, both as servers and as clients. */
function makeCerts(ca: string, names: readonly string[]): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`]);
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  for (const n of names) {
    openssl(['req', ...ec, '-keyout', `${n}.key`, '-out', `${n}.csr`, '-subj', `/CN=${n}`]);
    openssl(['x509', '-req', '-in', `${n}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${n}.crt`, '-days', '2', '-extfile', 'ext.cnf']);
  }
}

/** Mutual TLS with node certificate `name` signed by `ca`. */
function tlsOf(name: string, ca = 'ca'): NodeTls {
  return nodeTls({ tls: { cert: file(`${name}.crt`), key: file(`${name}.key`), ca: file(`${ca}.crt`), requireClientCert: true } })!;
}

const start = (id: string, tls?: NodeTls): Promise<ActorNode> =>
  ActorNode.start({ dataDir: file(`data-${id}`), actors: [Account], host: '127.0.0.1', port: 0, etcd: etcd.url, nodeId: id, leaseTtl: 10, sync: false, ...(tls ? { tls } : {}) });

/** Runs the CLI without blocking this process's event loop (the nodes it talks to live here). */
async function orbit(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([process.execPath, 'run', main, ...args], { cwd: root, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: { ...process.env, ...env } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

/**
 * A key whose actor `node` ends up hosting: tried through `node` itself, so keys placed on nodes it
 * cannot talk to fail there (with `tls_mismatch`) and the first one placed on it succeeds.
 */
async function keyHostedBy(node: ActorNode, prefix: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const key = `${prefix}${i}`;
    const ok = await node.actorOf(Account, key).deposit(1).then(
      () => true,
      (x: unknown) => {
        expect((x as ActorError).code).toBe('tls_mismatch');
        return false;
      },
    );
    if (ok) return key;
  }
  throw new Error(`no key of 50 landed on ${node.nodeId}`);
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    (v) => {
      throw new Error(`expected a failure, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => e as Error,
  );
}

beforeAll(async () => {
  expect(Bun.which('openssl')).not.toBeNull();
  dir = mkdtempSync(join(tmpdir(), 'orbit-cluster-tls-'));
  makeCerts('ca', ['n1', 'n2', 'client']);
  makeCerts('rogue-ca', ['rogue']);
  etcd = await startEtcd();
  [a, b] = await Promise.all([start('a', tlsOf('n1')), start('b', tlsOf('n2'))]);
  await membersSeen([a, b], 2);
}, 60_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mutual TLS between nodes', () => {
  test('calls entering either node reach actors hosted on the other', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `t${i}`);
    await Promise.all(keys.map((k, i) => (i % 2 ? a : b).actorOf(Account, k).deposit(i)));
    // Each actor read through the node that did not deposit: half of these cross nodes over TLS.
    expect(await Promise.all(keys.map((k, i) => (i % 2 ? b : a).actorOf(Account, k).balance()))).toEqual(keys.map((_, i) => i));
    const client = new OrbitClient(`127.0.0.1:${a.port}`, 10_000, clientTls({ ca: file('ca.crt'), cert: file('client.crt'), key: file('client.key') }));
    try {
      const claims = await client.activations('Account');
      expect(claims.length).toBe(keys.length);
      expect(new Set(claims.map((c) => c.node))).toEqual(new Set(['a', 'b']));
      // Through a, an actor b hosts.
      const onB = claims.find((c) => c.node === 'b')!;
      expect(await client.call('Account', onB.key, 'deposit', [100])).toBe(Number(String(onB.key).slice(1)) + 100);
      expect((await client.nodes()).map((n) => n.id)).toEqual(['a', 'b']);
    } finally {
      client.close();
    }
  }, 60_000);

  test('clients without the right TLS are refused with a clear error, and the node keeps serving', async () => {
    const address = `127.0.0.1:${a.port}`;
    const attempt = async (tls: Parameters<typeof clientTls>[0] | undefined): Promise<string> => {
      const client = new OrbitClient(address, 10_000, tls && clientTls(tls));
      try {
        return (await rejection(client.health())).message;
      } finally {
        client.close();
      }
    };
    // Plain text to a TLS listener: the hint names the missing CA.
    expect(await attempt(undefined)).toMatch(/if the node uses TLS, give its CA: --ca/);
    // TLS without a client certificate, to a node that requires one.
    expect(await attempt({ ca: file('ca.crt') })).toMatch(/TLS handshake failed.*CERTIFICATE_REQUIRED|CERTIFICATE_REQUIRED.*TLS handshake failed/);
    // A server certificate from another CA.
    expect(await attempt({ ca: file('rogue-ca.crt'), cert: file('client.crt'), key: file('client.key') })).toMatch(/TLS handshake failed/);
    // A client certificate from another CA.
    expect(await attempt({ ca: file('ca.crt'), cert: file('rogue.crt'), key: file('rogue.key') })).toMatch(/TLS handshake failed|may not accept this client certificate/);
    const ok = new OrbitClient(address, 10_000, clientTls({ ca: file('ca.crt'), cert: file('client.crt'), key: file('client.key') }));
    expect(await ok.health()).toEqual({ status: 'SERVING', nodeId: 'a', clustered: true });
    ok.close();
  }, 30_000);

  test('a plain-text node in a TLS cluster gets a clear non-retriable error at once, both ways', async () => {
    const plain = await start('plain');
    try {
      // An actor a hosts, called through the plain node.
      const onA = (await a.activations('Account')).find((c) => c.node === 'a')!;
      const t0 = Date.now();
      const e = await rejection(plain.actorOf(Account, String(onA.key)).balance());
      expect(e).toBeInstanceOf(ActorError);
      expect((e as ActorError).code).toBe('tls_mismatch');
      expect((e as ActorError).retriable).toBe(false);
      expect(e.message).toMatch(/a at 127\.0\.0\.1:\d+ uses TLS and this node does not/);
      // No wait for a lease to expire: refused as soon as the member list is read.
      expect(Date.now() - t0).toBeLessThan(5_000);
      // The other way round: an actor the plain node hosts (a key placement gives it), called through a.
      const back = await rejection(a.actorOf(Account, await keyHostedBy(plain, 'p')).balance());
      expect((back as ActorError).code).toBe('tls_mismatch');
      expect(back.message).toMatch(/plain at 127\.0\.0\.1:\d+ speaks plain text and this node uses TLS/);
    } finally {
      await plain.close();
    }
  }, 30_000);

  test('a node whose certificate the others do not trust: handshake failures are clear and not retried', async () => {
    const rogue = await start('rogue', tlsOf('rogue', 'rogue-ca'));
    try {
      const t0 = Date.now();
      const e = await rejection(a.actorOf(Account, await keyHostedBy(rogue, 'r')).balance());
      expect((e as ActorError).code).toBe('tls_mismatch');
      expect(e.message).toMatch(/cannot talk to node: 127\.0\.0\.1:\d+: .*(certificate|SSL routines)/i);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await rogue.close();
    }
  }, 30_000);

  test('orbit actor call and orbit cluster reach a TLS node with --ca/--cert/--key or ORBIT_GRPC_TLS_*', async () => {
    const node = `127.0.0.1:${b.port}`;
    const tlsFlags = ['--ca', file('ca.crt'), '--cert', file('client.crt'), '--key', file('client.key')];
    const call = await orbit(['actor', 'call', 'Account', 't3', 'balance', '--node', node, ...tlsFlags]);
    expect(call.err).toBe('');
    expect(call.out).toBe(`${await a.actorOf(Account, 't3').balance()}\n`);
    const viaEnv = await orbit(['cluster', 'nodes', '--json', '--node', node], { ORBIT_GRPC_TLS_CA: file('ca.crt'), ORBIT_GRPC_TLS_CERT: file('client.crt'), ORBIT_GRPC_TLS_KEY: file('client.key') });
    expect(viaEnv.err).toBe('');
    expect((JSON.parse(viaEnv.out) as { id: string }[]).map((n) => n.id)).toContain('b');
    const plain = await orbit(['actor', 'call', 'Account', 't3', 'balance', '--node', node, '--timeout', '10']);
    expect(plain.code).toBe(1);
    expect(plain.err).toMatch(/^ERROR 08006: .*give its CA: --ca/);
    const half = await orbit(['actor', 'call', 'Account', 't3', 'balance', '--node', node, '--cert', file('client.crt')]);
    expect(half.code).toBe(2);
    expect(half.err).toContain('a client certificate needs its key');
  }, 60_000);
});

describe('orbit server with protocols.grpc.tls', () => {
  test('paths resolve against the config file; flags and ORBIT_GRPC_TLS_* override them', () => {
    const config = file('server.json');
    writeFileSync(config, JSON.stringify({ protocols: { grpc: { tls: { cert: 'n1.crt', key: 'n1.key', ca: 'ca.crt', requireClientCert: true } } } }));
    const fromFile = loadConfig({ config }, {}).protocols['grpc']!['tls'];
    expect(fromFile).toEqual({ cert: file('n1.crt'), key: file('n1.key'), ca: file('ca.crt'), requireClientCert: true });
    const overridden = loadConfig({ config, 'grpc-tls-ca': 'other-ca.pem' }, { ORBIT_GRPC_TLS_CERT: 'env.crt' }).protocols['grpc']!['tls'] as Record<string, unknown>;
    expect(overridden['ca']).toBe(resolve('other-ca.pem'));
    expect(overridden['cert']).toBe(resolve('env.crt'));
    const flagged = loadConfig({ 'grpc-tls-cert': 'x.crt', 'grpc-tls-key': 'x.key', 'grpc-tls-require-client-cert': true }, {}).protocols['grpc']!['tls'];
    expect(flagged).toEqual({ cert: resolve('x.crt'), key: resolve('x.key'), requireClientCert: true });
    expect(() => nodeTls({ tls: { cert: file('n1.crt'), key: file('n1.key'), requireClientCert: true } })).toThrow(/requireClientCert needs tls.ca/);
    expect(() => nodeTls({ tls: { cert: file('missing.crt'), key: file('n1.key') } })).toThrow(/protocols.grpc.tls.cert: cannot read/);
  });

  test('a server process serves gRPC over TLS from its config file; the CLI calls it with --ca', async () => {
    const config = file('single.json');
    writeFileSync(config, JSON.stringify({ protocols: { grpc: { tls: { cert: 'n1.crt', key: 'n1.key' } } } }));
    const proc = Bun.spawn(
      [process.execPath, 'run', main, 'server', '--config', config, '--data', file('single-data'), '--actors', join(root, 'examples/actors.ts'), '--grpc-port', '0', '--pg-port', 'off', '--resp-port', 'off', '--http-port', 'off'],
      { cwd: root, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
    );
    try {
      const reader = proc.stdout.getReader();
      let out = '';
      let port = 0;
      while (port === 0) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`server exited: ${out}${await new Response(proc.stderr).text()}`);
        out += new TextDecoder().decode(value);
        port = Number(/grpc listening on [^:\s]+:(\d+)/.exec(out)?.[1] ?? 0);
      }
      reader.releaseLock();
      const node = `127.0.0.1:${port}`;
      expect((await orbit(['actor', 'call', 'Counter', 'c1', 'increment', '4', '--node', node, '--ca', file('ca.crt')])).out).toBe('4\n');
      expect((await orbit(['actor', 'call', 'Counter', 'c1', 'get', '--node', node, '--ca', file('ca.crt')])).out).toBe('4\n');
      const plain = await orbit(['cluster', 'status', '--node', node]);
      expect(plain.code).toBe(1);
      expect(plain.err).toMatch(/give its CA: --ca/);
      const wrongCa = await orbit(['cluster', 'status', '--node', node, '--ca', file('rogue-ca.crt')]);
      expect(wrongCa.code).toBe(1);
      expect(wrongCa.err).toMatch(/TLS handshake failed/);
    } finally {
      proc.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
  }, 60_000);
});
