// Property tests: the decoder under random chunking and garbage, and a live server under random and mutated messages.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import pg from 'pg';
import { ByteWriter } from '../../protocols/kit/bytes.ts';
import { Decoder, ProtocolViolation } from '../../protocols/postgres/index.ts';
import { RawClient, startServer, type BackendMessage, type TestServer } from './postgres-support.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ maxMessageLength: 1 << 16 });
});

afterAll(async () => {
  await server.stop();
});

function startupPacket(): Uint8Array {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), Buffer.from('user\0fuzz\0database\0db\0\0')]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Uint8Array.from(Buffer.concat([len, body]));
}

/** A well-formed stream of frontend messages after startup. */
const validMessages = [
  RawClient.frame('Q', (w) => w.cstring('select 1; select 2')),
  RawClient.frame('P', (w) => w.cstring('s').cstring('select $1::int4 + 1').i16(1).i32(23)),
  RawClient.frame('B', (w) => w.cstring('').cstring('s').i16(0).i16(1).i32(1).text('4').i16(0)),
  RawClient.frame('D', (w) => w.u8(0x50).cstring('')),
  RawClient.frame('E', (w) => w.cstring('').i32(0)),
  RawClient.frame('S'),
];
const validStream = Uint8Array.from(Buffer.concat(validMessages));

function chunk(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** Messages until the server closes the connection or stays quiet for `idleMs`. */
async function drain(raw: RawClient, idleMs = 150): Promise<BackendMessage[]> {
  const out: BackendMessage[] = [];
  for (;;) {
    let m: BackendMessage | undefined;
    try {
      m = await raw.next(idleMs);
    } catch {
      return out;
    }
    if (!m) return out;
    out.push(m);
  }
}

const BACKEND_TYPES = new Set('RSKZTDCIEnNt123s'.split(''));

describe('byte writer', () => {
  test('text and cstring write exactly the UTF-8 encoding, short ASCII and otherwise', () => {
    const encoder = new TextEncoder();
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
    fc.assert(
      fc.property(fc.array(text, { maxLength: 6 }), (parts) => {
        const w = new ByteWriter(8);
        for (const p of parts) w.text(p).cstring(p);
        expect(w.take()).toEqual(Uint8Array.from(Buffer.concat(parts.flatMap((p) => [encoder.encode(p), encoder.encode(p), Buffer.from([0])]))));
      }),
      { numRuns: 500 },
    );
  });
});

describe('postgres decoder properties', () => {
  test('any chunking of a valid stream decodes to the same messages', () => {
    const whole = new Decoder();
    const expected = [...whole.push(startupPacket()), ...whole.push(validStream)];
    const all = Uint8Array.from(Buffer.concat([startupPacket(), validStream]));
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        const d = new Decoder();
        const got = chunk(all, cuts).flatMap((c) => d.push(c));
        expect(got).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  test('Bind, Describe, Execute, Close and Sync of any shape decode to exactly what was sent, in any chunking', () => {
    const name = fc.string({ unit: 'binary', maxLength: 80 }).filter((x) => !x.includes('\0'));
    const formats = fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 4 });
    const bind = fc.record({ type: fc.constant('bind' as const), portal: name, statement: name, paramFormats: formats, params: fc.array(fc.option(fc.uint8Array({ maxLength: 40 })), { maxLength: 5 }), resultFormats: formats });
    const execute = fc.record({ type: fc.constant('execute' as const), portal: name, maxRows: fc.integer({ min: -5, max: 1 << 30 }) });
    const target = fc.constantFrom('S' as const, 'P' as const);
    const describe = fc.record({ type: fc.constant('describe' as const), target, name });
    const close = fc.record({ type: fc.constant('close' as const), target, name });
    const message = fc.oneof(bind, describe, execute, close, fc.constant({ type: 'sync' as const }));
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const frames = messages.map((m) => {
          if (m.type === 'sync') return RawClient.frame('S');
          if (m.type === 'execute') return RawClient.frame('E', (w) => w.cstring(m.portal).i32(m.maxRows));
          if (m.type === 'describe' || m.type === 'close') return RawClient.frame(m.type === 'describe' ? 'D' : 'C', (w) => w.u8(m.target.charCodeAt(0)).cstring(m.name));
          return RawClient.frame('B', (w) => {
            w.cstring(m.portal).cstring(m.statement).i16(m.paramFormats.length);
            for (const f of m.paramFormats) w.i16(f);
            w.i16(m.params.length);
            for (const p of m.params) (p === null ? w.i32(-1) : w.i32(p.length).bytes(p));
            w.i16(m.resultFormats.length);
            for (const f of m.resultFormats) w.i16(f);
          });
        });
        const d = new Decoder();
        d.push(startupPacket());
        const got = chunk(Uint8Array.from(Buffer.concat(frames)), cuts).flatMap((c) => d.push(c));
        expect(got.map((x) => x.message)).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  });

  test('garbage either decodes or raises a ProtocolViolation, nothing else', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), (afterStartup, garbage, cuts) => {
        const d = new Decoder(1 << 16);
        try {
          if (afterStartup) d.push(startupPacket());
          for (const c of chunk(garbage, cuts)) d.push(c);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolViolation);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('postgres server under random input', () => {
  test('random and mutated messages get errors or valid data while a good client keeps working', async () => {
    const good = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'good' });
    await good.connect();
    let stop = false;
    let goodQueries = 0;
    const goodLoop = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await good.query('select $1::int4 + 1 as v', [i]);
        expect(r.rows[0].v).toBe(i + 1);
        goodQueries++;
      }
    })();
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }), startup: fc.boolean() }),
      fc.record({
        kind: fc.constant('mutate' as const),
        flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        cut: fc.option(fc.nat()),
      }),
    );
    try {
      await fc.assert(
        fc.asyncProperty(mutation, fc.array(fc.nat(), { maxLength: 6 }), async (m, cuts) => {
          const raw = await RawClient.open(server.port);
          try {
            let payload: Uint8Array;
            if (m.kind === 'garbage') {
              if (m.startup) await raw.startup();
              payload = m.bytes;
            } else {
              await raw.startup();
              payload = validStream.slice();
              for (const [at, v] of m.flips) payload[at % payload.length] = v;
              if (m.cut !== null) payload = payload.subarray(0, m.cut % payload.length);
            }
            for (const c of chunk(payload, cuts)) raw.send(c);
            const answers = await drain(raw);
            for (const a of answers) expect(BACKEND_TYPES.has(a.type)).toBe(true);
          } finally {
            raw.close();
          }
        }),
        { numRuns: 120 },
      );
    } finally {
      stop = true;
      await goodLoop;
      await good.end();
    }
    expect(goodQueries).toBeGreaterThan(10);
    const after = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'after' });
    await after.connect();
    expect((await after.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await after.end();
  }, 60_000);
});
