// Password authentication over the PostgreSQL protocol: SCRAM-SHA-256, md5 and cleartext with pg and psql, `orbit user add`.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from '../support/server.ts';
import pg from 'pg';
import { md5Verifier, postgres, scramVerifier } from '../../protocols/postgres/index.ts';
import { errorFields, RawClient, startServer, type TestServer } from './postgres-support.ts';

const root = join(import.meta.dir, '..', '..');
const main = join(root, 'runtime/cli/main.ts');

/** Connects and runs one query; resolves with its value or rejects with the server's error. */
async function login(port: number, user: string, password: string | undefined): Promise<number> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, database: 'orbit', ...(password === undefined ? {} : { password }) });
  await c.connect();
  try {
    const r = await c.query('select 40 + 2 as v');
    return r.rows[0].v as number;
  } finally {
    await c.end();
  }
}

async function loginError(port: number, user: string, password: string): Promise<{ code?: string; message: string; severity?: string }> {
  try {
    await login(port, user, password);
  } catch (e) {
    return e as { code?: string; message: string; severity?: string };
  }
  throw new Error('login succeeded');
}

describe('SCRAM-SHA-256 (the default method)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ users: { alice: scramVerifier('s3cret'), mallory: md5Verifier('pw', 'mallory') } });
  });
  afterAll(async () => server.stop());

  test('the right password logs in and queries run', async () => {
    expect(await login(server.port, 'alice', 's3cret')).toBe(42);
  });

  test('a wrong password, an unknown user and an md5-only user get FATAL 28P01', async () => {
    for (const [user, password] of [
      ['alice', 'wrong'],
      ['nobody', 's3cret'],
      ['mallory', 'pw'],
    ] as const) {
      const e = await loginError(server.port, user, password);
      expect(e.code).toBe('28P01');
      expect(e.severity).toBe('FATAL');
      expect(e.message).toBe(`password authentication failed for user "${user}"`);
    }
    expect(await login(server.port, 'alice', 's3cret')).toBe(42);
  });

  test('any password verifies against its own verifier and no other', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 24 }), fc.string({ minLength: 1, maxLength: 24 }), async (password, other) => {
        const s = await startServer({ users: { u: scramVerifier(password, 64) } });
        try {
          expect(await login(s.port, 'u', password)).toBe(42);
          if (other !== password) expect((await loginError(s.port, 'u', other)).code).toBe('28P01');
        } finally {
          await s.stop();
        }
      }),
      { numRuns: 8 },
    );
  });

  test('the exchange on the wire: AuthenticationSASL lists SCRAM-SHA-256; a query instead of a password is 08P01', async () => {
    const raw = await RawClient.open(server.port);
    try {
      raw.sendStartup('alice');
      const r = await raw.next();
      expect(r!.type).toBe('R');
      expect(r!.body.readInt32BE(0)).toBe(10);
      expect(r!.body.subarray(4).toString('latin1')).toBe('SCRAM-SHA-256\0\0');
      raw.send(RawClient.frame('Q', (w) => w.cstring('select 1')));
      const e = await raw.next();
      expect(e!.type).toBe('E');
      expect(errorFields(e!.body)['C']).toBe('08P01');
      expect(await raw.next()).toBeUndefined();
    } finally {
      raw.close();
    }
  });

  test('a malformed SASLInitialResponse and a wrong mechanism are 08P01, not a crash', async () => {
    for (const body of [Buffer.from('SCRAM-SHA-256\0\0\0\0\x05nope!'), Buffer.from('PLAIN\0\xff\xff\xff\xff'), Buffer.from('garbage')]) {
      const raw = await RawClient.open(server.port);
      try {
        raw.sendStartup('alice');
        await raw.next();
        raw.send(RawClient.frame('p', (w) => w.bytes(body)));
        const e = await raw.next();
        expect(e!.type).toBe('E');
        expect(errorFields(e!.body)['C']).toBe('08P01');
        expect(await raw.next()).toBeUndefined();
      } finally {
        raw.close();
      }
    }
    expect(await login(server.port, 'alice', 's3cret')).toBe(42);
  });

  test('before authentication a message longer than 64 KiB is refused without buffering it', async () => {
    const raw = await RawClient.open(server.port);
    try {
      raw.sendStartup('alice');
      await raw.next();
      raw.send(Uint8Array.from([0x70, 0x00, 0x10, 0x00, 0x00]));
      const e = await raw.next();
      expect(errorFields(e!.body)['C']).toBe('08P01');
      expect(await raw.next()).toBeUndefined();
    } finally {
      raw.close();
    }
  });
});

describe('md5 and cleartext methods', () => {
  test('md5: an md5 verifier runs the md5 exchange, a SCRAM verifier runs SCRAM', async () => {
    const s = await startServer({ auth: 'md5', users: { bob: md5Verifier('hunter2', 'bob'), alice: scramVerifier('s3cret') } });
    try {
      expect(await login(s.port, 'bob', 'hunter2')).toBe(42);
      expect(await login(s.port, 'alice', 's3cret')).toBe(42);
      expect((await loginError(s.port, 'bob', 'hunter3')).code).toBe('28P01');
      // An md5 user and an unknown one get the same md5 challenge; a SCRAM user gets SASL.
      for (const [user, code] of [['bob', 5], ['nobody', 5], ['alice', 10]] as const) {
        const raw = await RawClient.open(s.port);
        raw.sendStartup(user);
        const r = await raw.next();
        expect(r!.body.readInt32BE(0)).toBe(code);
        if (code === 5) expect(r!.body.length).toBe(8);
        raw.close();
      }
      expect((await loginError(s.port, 'nobody', 'x')).code).toBe('28P01');
    } finally {
      await s.stop();
    }
  });

  test('password: cleartext checked against either verifier', async () => {
    const s = await startServer({ auth: 'password', users: { bob: md5Verifier('hunter2', 'bob'), alice: scramVerifier('s3cret') } });
    try {
      expect(await login(s.port, 'bob', 'hunter2')).toBe(42);
      expect(await login(s.port, 'alice', 's3cret')).toBe(42);
      expect((await loginError(s.port, 'alice', 'S3cret')).code).toBe('28P01');
    } finally {
      await s.stop();
    }
  });
});

describe('listener settings', () => {
  test('bad auth settings stop the listener from starting; without users it refuses a non-loopback address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-pgauth-'));
    const { Engine } = await import('../../runtime/index.ts');
    const engine = await Engine.open({ dataDir: dir, sync: false });
    try {
      await expect(postgres.start(engine, { host: '127.0.0.1', port: 0, settings: { auth: 'kerberos' } })).rejects.toThrow(/unknown method/);
      await expect(postgres.start(engine, { host: '127.0.0.1', port: 0, settings: { users: { x: 'plaintext' } } })).rejects.toThrow(/not a SCRAM-SHA-256 or md5 password verifier/);
      await expect(postgres.start(engine, { host: '0.0.0.0', port: 0, settings: {} })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without users/);
      const l = await postgres.start(engine, { host: '0.0.0.0', port: 0, settings: { users: { alice: scramVerifier('s3cret') } } });
      expect(await login(l.port, 'alice', 's3cret')).toBe(42);
      await l.close();
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('orbit user add, orbit server --config and psql', () => {
  let dir: string;
  let config: string;
  let proc: ReturnType<typeof Bun.spawn<'ignore', 'pipe', 'pipe'>> | undefined;
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orbit-pgauth-'));
    config = join(dir, 'orbit.json');
    writeFileSync(config, JSON.stringify({ protocols: { pg: { maxMessageLength: 1048576 } } }));
    const add = Bun.spawnSync([process.execPath, 'run', main, 'user', 'add', 'carol', '--password-stdin', '--config', config], { stdin: Buffer.from('open sesame\n') });
    expect(add.stderr.toString()).toBe('');
    expect(add.exitCode).toBe(0);
    ({ proc, port } = await spawnServer(['--pg-port', '0', '--resp-port', 'off', '--data', join(dir, 'data'), '--config', config]));
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGTERM');
      await proc.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  async function psql(user: string, password: string | undefined, sql: string): Promise<{ out: string; err: string; code: number }> {
    const env: Record<string, string | undefined> = { ...process.env, PGCONNECT_TIMEOUT: '5' };
    delete env['PGPASSWORD'];
    if (password !== undefined) env['PGPASSWORD'] = password;
    const p = Bun.spawn(['psql', '-X', '-w', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'orbit', '-c', sql], { stdout: 'pipe', stderr: 'pipe', env });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { out, err, code };
  }

  test('the config file keeps its settings and gains a SCRAM verifier, not the password', () => {
    const text = readFileSync(config, 'utf8');
    const parsed = JSON.parse(text) as { protocols: { pg: { maxMessageLength: number; users: Record<string, string> } } };
    expect(parsed.protocols.pg.maxMessageLength).toBe(1048576);
    expect(parsed.protocols.pg.users['carol']).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(text).not.toContain('open sesame');
  });

  test('psql with PGPASSWORD logs in; a wrong or missing password is refused', async () => {
    const ok = await psql('carol', 'open sesame', 'select 1 as one');
    expect(ok.err).toBe('');
    expect(ok.out).toBe(' one \n-----\n   1\n(1 row)\n\n');
    const wrong = await psql('carol', 'open says me', 'select 1');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('FATAL:  password authentication failed for user "carol"');
    const missing = await psql('carol', undefined, 'select 1');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no password supplied');
  });

  test('pg with the password in its connection config logs in', async () => {
    expect(await login(port, 'carol', 'open sesame')).toBe(42);
  });

  test('orbit server refuses a non-loopback --host without users', () => {
    const r = Bun.spawnSync([process.execPath, 'run', main, 'server', '--pg-port', '0', '--resp-port', 'off', '--host', '0.0.0.0', '--data', join(dir, 'data2')], { stdin: 'ignore' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toContain('orbit: refusing to listen on 0.0.0.0 without users');
  });

  test('orbit user: --help and usage errors', () => {
    const help = Bun.spawnSync([process.execPath, 'run', main, 'user', '--help'], { stdin: 'ignore' });
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toContain('Usage: orbit user add <name> [--password-stdin] [--config <file>]');
    expect(help.stdout.toString()).toContain('--password-stdin');
    const none = Bun.spawnSync([process.execPath, 'run', main, 'user', 'add', 'dave', '--password-stdin'], { stdin: Buffer.from('x'), env: { ...process.env, ORBIT_CONFIG: '' } });
    expect(none.exitCode).toBe(2);
    expect(none.stderr.toString()).toContain('no config file');
    const verb = Bun.spawnSync([process.execPath, 'run', main, 'user', 'drop', 'dave', '--config', config], { stdin: 'ignore' });
    expect(verb.exitCode).toBe(2);
  });
});
