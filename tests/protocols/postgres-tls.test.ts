// TLS on the PostgreSQL listener: SSLRequest answered 'S' and upgraded, `tls.require`, bad handshakes, with pg, psql and raw bytes.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';
import { scramVerifier } from '../../protocols/postgres/index.ts';
import { loadConfig } from '../../runtime/server/config.ts';
import { spawnServer } from '../support/server.ts';
import { errorFields, RawClient } from './postgres-support.ts';

/** SSLRequest and GSSENCRequest packets (docs 55.7): length 8 and the request code. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
const GSSENC_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30]);

type Spawned = Awaited<ReturnType<typeof spawnServer>>;

let dir: string;

/** A self-signed certificate and key made with the openssl CLI, written next to the config files. */
beforeAll(() => {
  expect(Bun.which('openssl')).not.toBeNull();
  dir = mkdtempSync(join(tmpdir(), 'orbit-pgtls-'));
  const r = Bun.spawnSync(
    ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.crt'), '-days', '2', '-subj', '/CN=localhost'],
    { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
  );
  expect(r.exitCode).toBe(0);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `orbit server` with a config file whose TLS paths are relative to the config's folder. */
async function serverWith(name: string, pgSettings: Record<string, unknown>, extra: readonly string[] = []): Promise<Spawned> {
  const config = join(dir, `${name}.json`);
  writeFileSync(config, JSON.stringify({ protocols: { pg: pgSettings } }));
  const s = await spawnServer(['--pg-port', '0', '--resp-port', 'off', '--data', join(dir, `${name}-data`), '--config', config, ...extra]);
  expect(s.firstLine).toMatch(/^orbit: pg listening on .+:\d+$/);
  return s;
}

/** Stops the server; it must still have been running, exit cleanly and have logged nothing (no stray handshake errors). */
async function stop(s: Spawned | undefined): Promise<void> {
  if (!s) return;
  expect(s.proc.exitCode).toBeNull();
  s.proc.kill('SIGTERM');
  expect(await s.proc.exited).toBe(0);
  expect(await new Response(s.proc.stderr).text()).toBe('');
}

/** Whether the driver's socket is a TLS socket. */
function encrypted(client: pg.Client): boolean {
  return (client as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted === true;
}

async function psql(port: number, sslmode: string, sql: string, user = 'x', password?: string): Promise<{ out: string; err: string; code: number }> {
  const env: Record<string, string | undefined> = { ...process.env, PGCONNECT_TIMEOUT: '5', PGSSLMODE: sslmode };
  delete env['PGPASSWORD'];
  if (password !== undefined) env['PGPASSWORD'] = password;
  const p = Bun.spawn(['psql', '-X', '-w', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'orbit', '-c', sql], { stdout: 'pipe', stderr: 'pipe', env });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { out, err, code };
}

/** Everything the server sends until it closes the connection (or 5 s pass). */
async function readUntilClosed(client: RawClient): Promise<{ type: string; body: Buffer }[]> {
  const out: { type: string; body: Buffer }[] = [];
  for (;;) {
    const m = await client.next();
    if (!m) return out;
    out.push(m);
  }
}

describe('TLS offered (tls: { cert, key })', () => {
  let server: Spawned | undefined;
  beforeAll(async () => {
    server = await serverWith('offered', { tls: { cert: 'server.crt', key: 'server.key' } });
  });
  afterAll(() => stop(server));

  test('pg with ssl connects over TLS and queries', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'x', database: 'orbit', ssl: { rejectUnauthorized: false } });
    await client.connect();
    try {
      expect(encrypted(client)).toBe(true);
      const r = await client.query('select 40 + $1::int as v', [2]);
      expect(r.rows).toEqual([{ v: 42 }]);
      await client.query('create table notes (id int primary key, body text)');
      await client.query("insert into notes values (1, 'sealed')");
      expect((await client.query('select body from notes where id = 1')).rows).toEqual([{ body: 'sealed' }]);
    } finally {
      await client.end();
    }
  });

  test('pg without ssl still connects in plain text when TLS is not required', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'x', database: 'orbit' });
    await client.connect();
    try {
      expect(encrypted(client)).toBe(false);
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  test('psql with sslmode=require works, and its default (prefer) picks TLS too', async () => {
    for (const mode of ['require', 'prefer']) {
      const r = await psql(server!.port, mode, '\\conninfo');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toContain('SSL connection (protocol: TLSv1.');
    }
    const q = await psql(server!.port, 'require', 'select 6 * 7 as answer');
    expect(q.out).toBe(' answer \n--------\n     42\n(1 row)\n\n');
  });

  test("SSLRequest is answered 'S', GSSENCRequest still 'N'", async () => {
    const gss = await RawClient.open(server!.port);
    gss.send(GSSENC_REQUEST);
    expect(String.fromCharCode(await gss.byte())).toBe('N');
    gss.close();
    const ssl = await RawClient.open(server!.port);
    ssl.send(SSL_REQUEST);
    expect(String.fromCharCode(await ssl.byte())).toBe('S');
    ssl.close();
  });

  test('plain-text bytes sent right after SSLRequest are refused, not read as if encrypted', async () => {
    const c = await RawClient.open(server!.port);
    const startup = Buffer.from([0, 0, 0, 9, 0, 3, 0, 0, 0]);
    c.send(Buffer.concat([SSL_REQUEST, startup]));
    expect(String.fromCharCode(await c.byte())).toBe('S');
    const msgs = await readUntilClosed(c);
    expect(msgs.map((m) => m.type)).toEqual(['E']);
    const f = errorFields(msgs[0]!.body);
    expect(f['S']).toBe('FATAL');
    expect(f['C']).toBe('08P01');
    expect(f['M']).toBe('received unencrypted data after SSL request');
  });

  test('garbage instead of a TLS handshake closes that connection; the server keeps serving', async () => {
    for (const garbage of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.alloc(4096, 0x16), Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3])]) {
      const c = await RawClient.open(server!.port);
      c.send(SSL_REQUEST);
      expect(String.fromCharCode(await c.byte())).toBe('S');
      c.send(garbage);
      await readUntilClosed(c).catch(() => []);
      c.close();
    }
    // A client that gives up mid-handshake.
    const quitter = await RawClient.open(server!.port);
    quitter.send(SSL_REQUEST);
    expect(String.fromCharCode(await quitter.byte())).toBe('S');
    quitter.send(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x50]));
    quitter.close();
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'x', database: 'orbit', ssl: { rejectUnauthorized: false } });
    await client.connect();
    expect((await client.query('select 2 + 2 as four')).rows).toEqual([{ four: 4 }]);
    await client.end();
    expect(server!.proc.exitCode).toBeNull();
  });

  test('fast-check: random bytes where the TLS handshake belongs never take the server down', async () => {
    const handshakeLike = fc.tuple(fc.constantFrom(0x16, 0x15, 0x17, 0x00, 0x80), fc.uint8Array({ maxLength: 600 })).map(([first, rest]) => Uint8Array.of(first, 0x03, 0x01, ...rest));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 600 }), handshakeLike), async (bytes) => {
        const c = await RawClient.open(server!.port);
        c.send(SSL_REQUEST);
        expect(String.fromCharCode(await c.byte())).toBe('S');
        c.send(bytes);
        // Either the server hangs up or it waits for more of the handshake: both are fine, dying is not.
        await Bun.sleep(5);
        c.close();
      }),
      { numRuns: 40 },
    );
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'x', database: 'orbit', ssl: { rejectUnauthorized: false } });
    await client.connect();
    expect((await client.query('select 3 as three')).rows).toEqual([{ three: 3 }]);
    await client.end();
    expect(server!.proc.exitCode).toBeNull();
  });

  test('a client that rejects the self-signed certificate fails its handshake; the server keeps serving', async () => {
    const strict = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'x', database: 'orbit', ssl: { rejectUnauthorized: true } });
    await expect(strict.connect()).rejects.toThrow();
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'x', database: 'orbit', ssl: { rejectUnauthorized: false } });
    await client.connect();
    expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  });

  test('a second SSLRequest inside TLS is a FATAL 0A000', async () => {
    const raw = await RawClient.open(server!.port);
    raw.send(SSL_REQUEST);
    expect(String.fromCharCode(await raw.byte())).toBe('S');
    raw.socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: raw.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    const chunks: Buffer[] = [];
    secure.on('data', (d: Buffer) => chunks.push(d));
    secure.on('error', () => {});
    const closed = new Promise<void>((resolve) => secure.once('close', () => resolve()));
    secure.write(SSL_REQUEST);
    await closed;
    const reply = Buffer.concat(chunks);
    expect(String.fromCharCode(reply[0]!)).toBe('E');
    const f = errorFields(reply.subarray(5, reply.readInt32BE(1) + 1));
    expect(f['C']).toBe('0A000');
    expect(f['M']).toBe('unsupported frontend protocol 1234.5679: server supports 3.0');
  });
});

describe('TLS required (tls.require: true) with users, listening beyond loopback', () => {
  let server: Spawned | undefined;
  beforeAll(async () => {
    server = await serverWith('required', { users: { alice: scramVerifier('wonderland') }, tls: { cert: 'server.crt', key: 'server.key', require: true } }, ['--host', '0.0.0.0']);
  });
  afterAll(() => stop(server));

  test('the server listens on 0.0.0.0', () => {
    expect(server!.firstLine).toBe(`orbit: pg listening on 0.0.0.0:${server!.port}`);
  });

  test('pg with ssl and the password logs in over TLS', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'alice', password: 'wonderland', database: 'orbit', ssl: { rejectUnauthorized: false } });
    await client.connect();
    try {
      expect(encrypted(client)).toBe(true);
      expect((await client.query('select current_user as u')).rows).toEqual([{ u: 'alice' }]);
    } finally {
      await client.end();
    }
  });

  test('pg without ssl is refused with 28000 before any password is asked', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'alice', password: 'wonderland', database: 'orbit' });
    const err = (await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: string; severity?: string; message: string } | undefined;
    expect(err?.code).toBe('28000');
    expect(err?.severity).toBe('FATAL');
    expect(err?.message).toBe('no pg_hba.conf entry for host "127.0.0.1", user "alice", database "orbit", no encryption');
  });

  test('psql: sslmode=require logs in, sslmode=disable is refused with PostgreSQL wording', async () => {
    const ok = await psql(server!.port, 'require', '\\conninfo', 'alice', 'wonderland');
    expect(ok.err).toBe('');
    expect(ok.out).toContain('SSL connection (protocol: TLSv1.');
    const plain = await psql(server!.port, 'disable', 'select 1', 'alice', 'wonderland');
    expect(plain.code).toBe(2);
    expect(plain.err).toContain('FATAL:  no pg_hba.conf entry for host "127.0.0.1", user "alice", database "orbit", no encryption');
  });

  test('a wrong password over TLS is still 28P01', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'alice', password: 'looking-glass', database: 'orbit', ssl: { rejectUnauthorized: false } });
    const err = (await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    )) as { code?: string } | undefined;
    expect(err?.code).toBe('28P01');
  });
});

describe('TLS settings', () => {
  test('cert and key are read relative to the config file; ORBIT_PG_TLS_CERT/KEY and --pg-tls-cert/--pg-tls-key override them', () => {
    const config = join(dir, 'paths.json');
    writeFileSync(config, JSON.stringify({ protocols: { pg: { tls: { cert: 'server.crt', key: 'keys/server.key', require: true } } } }));
    const fromFile = loadConfig({ config }, {}).protocols['pg']?.['tls'];
    expect(fromFile).toEqual({ cert: join(dir, 'server.crt'), key: join(dir, 'keys', 'server.key'), require: true });
    const fromEnv = loadConfig({ config }, { ORBIT_PG_TLS_CERT: '/etc/orbit/pg.crt', ORBIT_PG_TLS_KEY: '/etc/orbit/pg.key' }).protocols['pg']?.['tls'];
    expect(fromEnv).toEqual({ cert: '/etc/orbit/pg.crt', key: '/etc/orbit/pg.key', require: true });
    const fromFlags = loadConfig({ config, 'pg-tls-cert': '/srv/pg.crt', 'pg-tls-key': '/srv/pg.key' }, { ORBIT_PG_TLS_CERT: '/etc/orbit/pg.crt' }).protocols['pg']?.['tls'];
    expect(fromFlags).toEqual({ cert: '/srv/pg.crt', key: '/srv/pg.key', require: true });
    expect(loadConfig({}, {}).protocols['pg']).toBeUndefined();
  });

  test('a missing key file or a malformed tls section stops the server with a clear message', () => {
    const main = join(import.meta.dir, '..', '..', 'runtime', 'cli', 'main.ts');
    const cases: [unknown, string][] = [
      [{ cert: 'server.crt', key: 'missing.key' }, 'orbit: protocols.pg.tls.key: cannot read '],
      [{ cert: 'server.crt' }, 'orbit: protocols.pg.tls.key: expected the path of a PEM file'],
      [{ cert: 'server.key', key: 'server.crt' }, 'orbit: protocols.pg.tls: certificate and key do not form a usable pair'],
      [{ cert: 'server.crt', key: 'server.key', require: 'yes' }, 'orbit: protocols.pg.tls.require: expected true or false'],
      ['server.crt', 'orbit: protocols.pg.tls: expected an object { cert, key, require? }'],
    ];
    for (const [tls, message] of cases) {
      const config = join(dir, 'bad.json');
      writeFileSync(config, JSON.stringify({ protocols: { pg: { tls } } }));
      const r = Bun.spawnSync([process.execPath, 'run', main, 'server', '--pg-port', '0', '--resp-port', 'off', '--data', join(dir, 'bad-data'), '--config', config], { stdin: 'ignore' });
      expect(r.exitCode).toBe(1);
      expect(r.stderr.toString()).toContain(message);
    }
  });
});
