// `orbit server --actors` on one node, driven by `orbit actor call` and `orbit cluster …` as real processes.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';

const root = resolve(import.meta.dir, '../..');
const main = join(root, 'runtime/cli/main.ts');
const examples = join(root, 'examples/actors.ts');

function orbit(args: string[]): { code: number; out: string; err: string } {
  const p = Bun.spawnSync([process.execPath, 'run', main, ...args], { cwd: root, stdin: 'ignore' });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}

let dir: string;
let server: Subprocess | undefined;
let node = '';

/** Starts a single-process actor server on an ephemeral gRPC port and waits for its listening line. */
async function startServer(): Promise<void> {
  const proc = Bun.spawn([process.execPath, 'run', main, 'server', '--data', join(dir, 'data'), '--actors', examples, '--grpc-port', '0', '--pg-port', 'off', '--resp-port', 'off', '--http-port', 'off'], {
    cwd: root,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const reader = proc.stdout.getReader();
  let out = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited: ${out}`);
    out += new TextDecoder().decode(value);
    const m = /grpc listening on [^:\s]+:(\d+)/.exec(out);
    if (m) {
      reader.releaseLock();
      node = `127.0.0.1:${m[1]}`;
      server = proc;
      return;
    }
  }
}

async function stopServer(): Promise<number> {
  server!.kill('SIGTERM');
  const code = await server!.exited;
  server = undefined;
  return code;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-actor-cli-'));
  await startServer();
}, 60_000);

afterAll(async () => {
  if (server) await stopServer();
  rmSync(dir, { recursive: true, force: true });
});

describe('orbit actor call', () => {
  test('calls Counter and Greeter and prints JSON results; state survives a server restart', async () => {
    expect(orbit(['actor', 'call', 'Counter', 'c1', 'increment', '5', '--node', node]).out).toBe('5\n');
    expect(orbit(['actor', 'call', 'Counter', 'c1', 'increment', '[2]', '--node', node]).out).toBe('7\n');
    expect(orbit(['actor', 'call', 'Counter', 'c1', 'increment', '--node', node]).out).toBe('8\n');
    expect(orbit(['actor', 'call', 'Counter', '42', 'get', '--key-type', 'number', '--node', node]).out).toBe('0\n');
    const hello = orbit(['actor', 'call', 'Greeter', 'alice', 'greet', '"bob"', '--node', node]);
    expect(hello.code).toBe(0);
    expect(JSON.parse(hello.out)).toBe('Hello bob, from alice (greeting #1)');
    expect(JSON.parse(orbit(['actor', 'call', 'Greeter', 'alice', 'greeted', '--node', node]).out)).toEqual(['bob']);

    // SIGTERM deactivates (saving) and exits 0; the restarted server finds the saved states.
    expect(await stopServer()).toBe(0);
    await startServer();
    expect(orbit(['actor', 'call', 'Counter', 'c1', 'get', '--node', node]).out).toBe('8\n');
    expect(JSON.parse(orbit(['actor', 'call', 'Greeter', 'alice', 'greeted', '--node', node]).out)).toEqual(['bob']);
  }, 60_000);

  test('errors print ERROR <SQLSTATE>: message and exit 1; the server keeps serving', () => {
    const cases: [string[], RegExp][] = [
      [['Counter', 'c1', 'nope'], /^ERROR 42883: actor method does not exist: Counter\.nope/],
      [['Nope', 'c1', 'get'], /^ERROR 42704: actor type is not registered: Nope/],
      [['Counter', 'c1', 'increment', '"x"'], /^ERROR P0001: increment expects a finite number/],
      // Base-class members are not callable from outside.
      [['Counter', 'c1', 'save'], /^ERROR 42883: /],
    ];
    for (const [args, message] of cases) {
      const r = orbit(['actor', 'call', ...args, '--node', node]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
    }
    expect(orbit(['actor', 'call', 'Counter', 'c1', 'get', '--node', node]).out).toBe('8\n');
  });

  test('usage mistakes exit 2; an unreachable node exits 1 with a connection error', () => {
    expect(orbit(['actor', 'call', 'Counter', 'c1', 'increment', '{bad', '--node', node]).code).toBe(2);
    expect(orbit(['actor', 'call', 'Counter']).code).toBe(2);
    expect(orbit(['actor', 'poke', 'Counter', 'c1', 'get']).code).toBe(2);
    expect(orbit(['actor', 'call', 'Counter', 'x', 'get', '--key-type', 'number']).code).toBe(2);
    expect(orbit(['server', '--etcd', 'http://127.0.0.1:1']).code).toBe(2);
    const r = orbit(['actor', 'call', 'Counter', 'c1', 'get', '--node', '127.0.0.1:1', '--timeout', '5']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^ERROR 08006: 127\.0\.0\.1:1: /);
  });
});

describe('orbit cluster', () => {
  test('status, nodes and actors of a single node, as JSON and as columns', () => {
    const status = orbit(['cluster', 'status', '--json', '--node', node]);
    expect(status.err).toBe('');
    expect(JSON.parse(status.out)).toMatchObject({ status: 'SERVING', clustered: false, members: 1 });
    const nodes = JSON.parse(orbit(['cluster', 'nodes', '--json', '--node', node]).out) as { self: boolean; address: string }[];
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ self: true, address: node });
    const actors = JSON.parse(orbit(['cluster', 'actors', '--json', '--type', 'Counter', '--node', node]).out) as { type: string; key: unknown }[];
    expect(actors.map((a) => a.key)).toContain('c1');
    expect(actors.every((a) => a.type === 'Counter')).toBe(true);
    const table = orbit(['cluster', 'actors', '--node', node]).out.split('\n');
    expect(table[0]).toMatch(/^type\s+key\s+node$/);
    expect(table.some((l) => /^Counter\s+"c1"\s/.test(l))).toBe(true);
  });

  test('drain hands every activation off; the next call activates afresh with the saved state', () => {
    const r = orbit(['cluster', 'drain', '--json', '--node', node]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ deactivated: expect.any(Number), handedOff: 0 });
    expect(JSON.parse(r.out).deactivated).toBeGreaterThan(0);
    expect(JSON.parse(orbit(['cluster', 'actors', '--json', '--node', node]).out)).toEqual([]);
    expect(orbit(['actor', 'call', 'Counter', 'c1', 'get', '--node', node]).out).toBe('8\n');
  });

  test('help lists the actor and cluster commands', () => {
    const help = orbit(['--help']).out;
    expect(help).toContain('  actor ');
    expect(help).toContain('  cluster ');
    expect(orbit(['actor', '--help']).out).toContain('Usage: orbit actor call TYPE KEY METHOD [ARGS_JSON]');
  });
});
