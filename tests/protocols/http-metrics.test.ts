// GET /metrics: Prometheus text format 0.0.4 from a real REST listener, with and without an actor runtime, and from `orbit server --actors`.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { encodeMetrics } from '../../protocols/http/metrics.ts';
import { Actor, ActorRuntime, type ActorStats } from '../../runtime/index.ts';
import { OrbitClient } from '../../runtime/cluster/index.ts';
import { startRest, type RestServer } from './http-support.ts';

interface ParsedFamily {
  type: string;
  help: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

/**
 * A strict reader of the text format: every line a HELP, a TYPE or a sample; HELP and TYPE once per
 * family, before its samples; samples belong to the family last declared (histograms through their
 * `_bucket`, `_sum` and `_count` suffixes); the text ends with a line feed.
 */
function parseExposition(text: string): Map<string, ParsedFamily> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, ParsedFamily>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      expect(name).toMatch(METRIC_NAME);
      const f = families.get(name) ?? { type: '', help: '', samples: [] };
      if (kind === 'HELP') {
        expect(f.help).toBe('');
        f.help = rest;
      } else {
        expect(f.type).toBe('');
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(rest);
        f.type = rest;
      }
      expect(f.samples).toEqual([]);
      families.set(name, f);
      current = name;
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText, valueText] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    if (labelText) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < labelText.length) {
        const l = LABEL.exec(labelText);
        if (!l) throw new Error(`bad labels: ${labelText}`);
        labels[l[1]!] = l[2]!;
      }
    }
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    expect(Number.isNaN(value) && valueText !== 'NaN').toBe(false);
    const f = families.get(current!)!;
    const allowed = f.type === 'histogram' ? [`${current}_bucket`, `${current}_sum`, `${current}_count`] : [current];
    expect(allowed).toContain(name);
    f.samples.push({ name, labels, value });
  }
  return families;
}

/** Checks a histogram family's shape and returns its buckets, sum and count. */
function histogram(f: ParsedFamily, name: string): { buckets: [number, number][]; sum: number; count: number } {
  expect(f.type).toBe('histogram');
  const buckets = f.samples.filter((s) => s.name === `${name}_bucket`).map((s) => [s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']), s.value] as [number, number]);
  expect(buckets.at(-1)![0]).toBe(Infinity);
  for (let i = 1; i < buckets.length; i++) {
    expect(buckets[i]![0]).toBeGreaterThan(buckets[i - 1]![0]);
    expect(buckets[i]![1]).toBeGreaterThanOrEqual(buckets[i - 1]![1]);
  }
  const count = f.samples.find((s) => s.name === `${name}_count`)!.value;
  const sum = f.samples.find((s) => s.name === `${name}_sum`)!.value;
  expect(buckets.at(-1)![1]).toBe(count);
  return { buckets, sum, count };
}

async function scrape(base: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${base}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const value = (fams: Map<string, ParsedFamily>, name: string): number => fams.get(name)!.samples[0]!.value;

class Slow extends Actor<{ n: number }> {
  static readonly type = 'Slow';
  override state = { n: 0 };

  async bump(): Promise<number> {
    return ++this.state.n;
  }

  async hold(ms: number): Promise<void> {
    await Bun.sleep(ms);
  }
}

describe('GET /metrics', () => {
  let server: RestServer;
  let dir: string;
  let runtime: ActorRuntime | undefined;

  beforeAll(async () => {
    server = await startRest();
    dir = mkdtempSync(join(tmpdir(), 'orbit-metrics-'));
  });

  afterAll(async () => {
    await runtime?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without an actor runtime: process figures only, in format 0.0.4', async () => {
    const r = await scrape(server.base);
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const fams = parseExposition(r.text);
    expect([...fams.keys()].sort()).toEqual(['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds']);
    expect(fams.get('process_cpu_seconds_total')!.type).toBe('counter');
    expect(value(fams, 'process_resident_memory_bytes')).toBeGreaterThan(1 << 20);
    expect(Math.abs(value(fams, 'process_start_time_seconds') - (Date.now() / 1000 - process.uptime()))).toBeLessThan(5);
  });

  test('with an actor runtime: activations, calls, mailbox depth and a sampled latency histogram that rise with calls', async () => {
    runtime = ActorRuntime.open({ dataDir: dir, sync: false });
    server.engine.attachActors(runtime);
    const before = parseExposition((await scrape(server.base)).text);
    expect(fams(before)).toEqual([
      ['orbit_actor_activations', 'gauge'],
      ['orbit_actor_activations_total', 'counter'],
      ['orbit_actor_call_duration_seconds', 'histogram'],
      ['orbit_actor_calls_total', 'counter'],
      ['orbit_actor_deactivations_total', 'counter'],
      ['orbit_actor_mailbox_depth', 'gauge'],
      ['orbit_actor_reminders_total', 'counter'],
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['process_start_time_seconds', 'gauge'],
    ]);
    expect(before.get('orbit_actor_call_duration_seconds')!.help).toContain('Sampled');
    expect(value(before, 'orbit_actor_calls_total')).toBe(0);
    expect(histogram(before.get('orbit_actor_call_duration_seconds')!, 'orbit_actor_call_duration_seconds').count).toBe(0);

    // 320 calls over 10 actors: 20 of them timed (one in 16).
    await Promise.all(Array.from({ length: 320 }, (_, i) => runtime!.actorOf(Slow, `s${i % 10}`).bump()));
    // One call holds an actor while three more wait in its mailbox.
    const held = runtime.actorOf(Slow, 'held');
    const waiting = [held.hold(300), held.bump(), held.bump(), held.bump()];
    await Bun.sleep(50);
    const during = parseExposition((await scrape(server.base)).text);
    await Promise.all(waiting);
    expect(value(during, 'orbit_actor_calls_total')).toBe(324);
    expect(value(during, 'orbit_actor_activations')).toBe(11);
    expect(value(during, 'orbit_actor_activations_total')).toBe(11);
    expect(value(during, 'orbit_actor_mailbox_depth')).toBe(3);
    const h = histogram(during.get('orbit_actor_call_duration_seconds')!, 'orbit_actor_call_duration_seconds');
    expect(h.count).toBe(20);
    expect(h.sum).toBeGreaterThan(0);
    // Bounds are powers of two microseconds, in seconds.
    expect(h.buckets[0]![0]).toBe(0.000001);
    expect(h.buckets[10]![0]).toBe(0.001024);

    const after = parseExposition((await scrape(server.base)).text);
    expect(value(after, 'orbit_actor_calls_total')).toBe(324);
    expect(value(after, 'orbit_actor_mailbox_depth')).toBe(0);
    // The next timed call is the 336th: the four around the held one were not sampled.
    expect(histogram(after.get('orbit_actor_call_duration_seconds')!, 'orbit_actor_call_duration_seconds')).toEqual(h);
  });

  test('the exposition of any counters parses, with cumulative buckets ending at +Inf equal to _count', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1e9 }), { minLength: 32, maxLength: 32 }), fc.nat(), fc.nat(), fc.double({ min: 0, max: 1e12, noNaN: true }), (counts, calls, depth, sumMicros) => {
        const stats: ActorStats = {
          activations: depth,
          activated: calls,
          deactivated: 0,
          calls,
          reminders: 0,
          mailboxDepth: depth,
          callLatency: { sampleEvery: 16, upperMicros: counts.map((_, b) => (b === 31 ? Infinity : 2 ** b)), counts, sumMicros },
        };
        const f = parseExposition(encodeMetrics(stats));
        const h = histogram(f.get('orbit_actor_call_duration_seconds')!, 'orbit_actor_call_duration_seconds');
        expect(h.count).toBe(counts.reduce((a, b) => a + b, 0));
        expect(h.buckets.length).toBe(32);
        expect(h.sum).toBeCloseTo(sumMicros / 1e6);
        expect(value(f, 'orbit_actor_calls_total')).toBe(calls);
      }),
      { numRuns: 200 },
    );
  });
});

/** Family names and types, sorted by name. */
function fams(f: Map<string, ParsedFamily>): [string, string][] {
  return [...f.entries()].map(([name, fam]) => [name, fam.type] as [string, string]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

test('GET /metrics needs credentials once they are configured, like the rest of the API', async () => {
  const token = 'metrics-token';
  const digest = new Bun.CryptoHasher('sha256').update(token).digest('hex');
  const server = await startRest({ tokens: { scraper: digest } });
  try {
    expect((await scrape(server.base)).status).toBe(401);
    const ok = await scrape(server.base, { Authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(parseExposition(ok.text).has('process_cpu_seconds_total')).toBe(true);
    const post = await fetch(`${server.base}/metrics`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  } finally {
    await server.stop();
  }
});

test('orbit server --actors: /metrics on the http port counts the calls its actor node serves', async () => {
  const root = resolve(import.meta.dir, '../..');
  const data = mkdtempSync(join(tmpdir(), 'orbit-metrics-server-'));
  const proc = Bun.spawn(
    [process.execPath, 'run', join(root, 'runtime/cli/main.ts'), 'server', '--data', data, '--actors', join(root, 'examples/actors.ts'), '--grpc-port', '0', '--http-port', '0', '--pg-port', 'off', '--resp-port', 'off'],
    { cwd: root, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
  );
  let client: OrbitClient | undefined;
  try {
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    let out = '';
    const ports: Record<string, number> = {};
    while (ports['grpc'] === undefined || ports['http'] === undefined) {
      const { value: chunk, done } = await reader.read();
      if (done) throw new Error(`server exited: ${out}${await new Response(proc.stderr as ReadableStream).text()}`);
      out += new TextDecoder().decode(chunk);
      for (const m of out.matchAll(/orbit: (\w+) listening on [^:\s]+:(\d+)/g)) ports[m[1]!] = Number(m[2]);
    }
    reader.releaseLock();
    const base = `http://127.0.0.1:${ports['http']}`;
    const before = parseExposition((await scrape(base)).text);
    expect(value(before, 'orbit_actor_calls_total')).toBe(0);
    client = new OrbitClient(`127.0.0.1:${ports['grpc']}`);
    for (let i = 0; i < 5; i++) await client.call('Counter', 'c', 'increment', [1]);
    const after = parseExposition((await scrape(base)).text);
    expect(value(after, 'orbit_actor_calls_total')).toBe(5);
    expect(value(after, 'orbit_actor_activations')).toBe(1);
  } finally {
    client?.close();
    proc.kill('SIGTERM');
    await proc.exited;
    rmSync(data, { recursive: true, force: true });
  }
}, 60_000);
