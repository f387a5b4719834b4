// PostgreSQL wire protocol at the byte level: binary formats, Describe, row limits, Sync recovery, bad input.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { ByteWriter } from '../../protocols/kit/bytes.ts';
import { dataRowFields, errorFields, RawClient, startServer, type TestServer } from './postgres-support.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ maxMessageLength: 1 << 20 });
});

afterAll(async () => {
  await server.stop();
});

const parse = (name: string, sql: string, oids: number[] = []) =>
  RawClient.frame('P', (w) => {
    w.cstring(name).cstring(sql).i16(oids.length);
    for (const o of oids) w.i32(o);
  });
const bind = (portal: string, statement: string, params: (Uint8Array | null)[], paramFormat: number, resultFormat: number) =>
  RawClient.frame('B', (w) => {
    w.cstring(portal).cstring(statement).i16(1).i16(paramFormat).i16(params.length);
    for (const p of params) {
      if (p === null) w.i32(-1);
      else w.i32(p.length).bytes(p);
    }
    w.i16(1).i16(resultFormat);
  });
const describeMsg = (target: 'S' | 'P', name: string) => RawClient.frame('D', (w) => w.u8(target.charCodeAt(0)).cstring(name));
const execute = (portal: string, maxRows = 0) => RawClient.frame('E', (w) => w.cstring(portal).i32(maxRows));
const sync = () => RawClient.frame('S');
const bytes = (f: (v: DataView) => void, n: number): Uint8Array => {
  const b = new Uint8Array(n);
  f(new DataView(b.buffer));
  return b;
};
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const types = (msgs: { type: string }[]) => msgs.map((m) => m.type).join('');

async function connected(): Promise<RawClient> {
  const raw = await RawClient.open(server.port);
  await raw.startup();
  return raw;
}

describe('postgres wire protocol, byte level', () => {
  test('SSLRequest and GSSENCRequest are answered N, then startup proceeds', async () => {
    const raw = await RawClient.open(server.port);
    try {
      raw.send(bytes((v) => (v.setInt32(0, 8), v.setInt32(4, 80877103)), 8));
      expect(await raw.byte()).toBe(0x4e);
      raw.send(bytes((v) => (v.setInt32(0, 8), v.setInt32(4, 80877104)), 8));
      expect(await raw.byte()).toBe(0x4e);
      const msgs = await raw.startup();
      expect(types(msgs)).toMatch(/^RS+KZ$/);
      const statuses = msgs.filter((m) => m.type === 'S').map((m) => m.body.toString('utf8').split('\0')[0]);
      expect(statuses).toEqual(expect.arrayContaining(['server_version', 'server_encoding', 'client_encoding', 'DateStyle', 'TimeZone', 'integer_datetimes', 'standard_conforming_strings', 'application_name']));
    } finally {
      raw.close();
    }
  });

  test('binary parameters and results round-trip byte for byte', async () => {
    const raw = await connected();
    try {
      const cases: [string, Uint8Array, number][] = [
        ['int2', bytes((v) => v.setInt16(0, -2), 2), 21],
        ['int4', bytes((v) => v.setInt32(0, -123456), 4), 23],
        ['int8', bytes((v) => v.setBigInt64(0, -(2n ** 62n)), 8), 20],
        ['float4', bytes((v) => v.setFloat32(0, -1.25), 4), 700],
        ['float8', bytes((v) => v.setFloat64(0, Math.PI), 8), 701],
        ['bool', Uint8Array.of(1), 16],
        ['text', new TextEncoder().encode('héllo'), 25],
        ['bytea', Uint8Array.of(0, 255, 128, 7), 17],
        ['date', bytes((v) => v.setInt32(0, -400), 4), 1082],
        ['timestamp', bytes((v) => v.setBigInt64(0, 765_432_123_456n), 8), 1114],
        ['timestamptz', bytes((v) => v.setBigInt64(0, -1_000_000n), 8), 1184],
        ['uuid', hex('a0eebc999c0b4ef8bb6d6bb9bd380a11'), 2950],
        ['interval', bytes((v) => (v.setBigInt64(0, 3_600_000_000n), v.setInt32(8, 2), v.setInt32(12, 14)), 16), 1186],
        // 12345.6789: two base-10000 digits before the point, one after; weight 1, dscale 4.
        ['numeric', bytes((v) => (v.setInt16(0, 3), v.setInt16(2, 1), v.setInt16(4, 0), v.setInt16(6, 4), v.setInt16(8, 1), v.setInt16(10, 2345), v.setInt16(12, 6789)), 14), 1700],
        ['int4[]', hex('00000001' + '00000000' + '00000017' + '00000002' + '00000001' + '00000004' + '00000007' + '00000004' + 'fffffffe'), 1007],
      ];
      for (const [type, value, oid] of cases) {
        raw.send(parse('', `select $1::${type} as v`));
        raw.send(bind('', '', [value], 1, 1));
        raw.send(describeMsg('P', ''));
        raw.send(execute(''));
        raw.send(sync());
        const msgs = await raw.until('Z');
        expect([type, types(msgs)]).toEqual([type, '12TDCZ']);
        const desc = msgs[2]!.body;
        const nameEnd = desc.indexOf(0, 2);
        expect([type, desc.readInt32BE(nameEnd + 7), desc.readInt16BE(nameEnd + 17)]).toEqual([type, oid, 1]);
        expect([type, [...dataRowFields(msgs[3]!.body)[0]!]]).toEqual([type, [...value]]);
      }
    } finally {
      raw.close();
    }
  });

  test('binary output of numeric and text output of the same values', async () => {
    const raw = await connected();
    try {
      raw.send(parse('', "select -0.5::numeric as a, 100000::numeric as b, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as c"));
      raw.send(bind('', '', [], 0, 1));
      raw.send(execute(''));
      raw.send(bind('', '', [], 0, 0));
      raw.send(execute(''));
      raw.send(sync());
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('12DC2DCZ');
      const [a, b] = dataRowFields(msgs[2]!.body);
      expect([...a!]).toEqual([0, 1, 0xff, 0xff, 0x40, 0, 0, 1, 0x13, 0x88]);
      expect([...b!]).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 0, 10]);
      expect(dataRowFields(msgs[5]!.body).map((f) => f!.toString())).toEqual(['-0.5', '100000', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
    } finally {
      raw.close();
    }
  });

  test('Describe statement gives ParameterDescription with inferred types and RowDescription or NoData', async () => {
    const raw = await connected();
    try {
      raw.send(RawClient.frame('Q', (w) => w.cstring('create table d (id int primary key, name varchar(20))')));
      await raw.until('Z');
      raw.send(parse('s1', 'select name from d where id = $1'));
      raw.send(describeMsg('S', 's1'));
      raw.send(parse('s2', 'insert into d values ($1, $2)', [20, 0]));
      raw.send(describeMsg('S', 's2'));
      raw.send(sync());
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('1tT1tnZ');
      const p1 = msgs[1]!.body;
      expect([p1.readInt16BE(0), p1.readInt32BE(2)]).toEqual([1, 23]);
      const p2 = msgs[4]!.body;
      expect([p2.readInt16BE(0), p2.readInt32BE(2)]).toEqual([2, 20]);
      // PostgreSQL would infer varchar (1043) from the column; the binder infers text.
      expect([25, 1043]).toContain(p2.readInt32BE(6));
      const row = msgs[2]!.body;
      expect(row.toString('utf8', 2, 6)).toBe('name');
      expect(row.readInt32BE(2 + 5 + 6)).toBe(1043);
      expect(row.readInt32BE(2 + 5 + 12)).toBe(24);
    } finally {
      raw.close();
    }
  });

  test('Execute with a row limit suspends the portal and resumes where it stopped', async () => {
    const raw = await connected();
    try {
      raw.send(parse('', 'select g from generate_series(1, 5) g'));
      raw.send(bind('p', '', [], 0, 0));
      raw.send(execute('p', 2));
      raw.send(execute('p', 2));
      raw.send(execute('p', 2));
      raw.send(RawClient.frame('C', (w) => w.u8(0x50).cstring('p')));
      raw.send(sync());
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('12DDsDDsDC3Z');
      const values = msgs.filter((m) => m.type === 'D').map((m) => dataRowFields(m.body)[0]!.toString());
      expect(values).toEqual(['1', '2', '3', '4', '5']);
    } finally {
      raw.close();
    }
  });

  test('an error in an extended batch skips to Sync; Flush sends what is pending', async () => {
    const raw = await connected();
    try {
      raw.send(parse('', 'select 1/0'));
      raw.send(bind('', '', [], 0, 0));
      raw.send(execute(''));
      raw.send(parse('', 'select 1'));
      raw.send(bind('', '', [], 0, 0));
      raw.send(execute(''));
      raw.send(sync());
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('12EZ');
      expect(errorFields(msgs[2]!.body)['C']).toBe('22012');
      raw.send(parse('x', 'select 7'));
      raw.send(RawClient.frame('H'));
      expect((await raw.next())!.type).toBe('1');
      raw.send(bind('', 'missing', [], 0, 0));
      raw.send(sync());
      const again = await raw.until('Z');
      expect(types(again)).toBe('EZ');
      expect(errorFields(again[0]!.body)['C']).toBe('26000');
    } finally {
      raw.close();
    }
  });

  test('SET of a reported setting sends ParameterStatus; BEGIN through Parse/Execute gives status T', async () => {
    const raw = await connected();
    try {
      raw.send(RawClient.frame('Q', (w) => w.cstring("set application_name = 'fuzzy'")));
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('CSZ');
      expect(msgs[1]!.body.toString('utf8')).toBe('application_name\0fuzzy\0');
      for (const [sql, status] of [['begin', 'T'], ['select 1', 'T'], ['commit', 'I']] as const) {
        raw.send(parse('', sql));
        raw.send(bind('', '', [], 0, 0));
        raw.send(execute(''));
        raw.send(sync());
        const got = await raw.until('Z');
        expect([sql, String.fromCharCode(got[got.length - 1]!.body[0]!)]).toEqual([sql, status]);
      }
    } finally {
      raw.close();
    }
  });

  test('EmptyQueryResponse for an empty Query and NoticeResponse for COMMIT outside a transaction', async () => {
    const raw = await connected();
    try {
      raw.send(RawClient.frame('Q', (w) => w.cstring('  ')));
      expect(types(await raw.until('Z'))).toBe('IZ');
      raw.send(RawClient.frame('Q', (w) => w.cstring('commit')));
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('NCZ');
      expect(errorFields(msgs[0]!.body)).toMatchObject({ S: 'WARNING', C: '25P01', M: 'there is no transaction in progress' });
      raw.send(parse('', ''));
      raw.send(bind('', '', [], 0, 0));
      raw.send(describeMsg('P', ''));
      raw.send(execute(''));
      raw.send(sync());
      expect(types(await raw.until('Z'))).toBe('12nIZ');
    } finally {
      raw.close();
    }
  });

  test('FunctionCall is answered 0A000 then ReadyForQuery; the connection goes on, and a truncated one is 08P01', async () => {
    const raw = await connected();
    try {
      // lo_open(16385, 0x40000) as libpq's fastpath sends it: binary int4 arguments, binary result.
      const call = RawClient.frame('F', (w) => w.i32(952).i16(1).i16(1).i16(2).i32(4).i32(16385).i32(4).i32(0x40000).i16(1));
      raw.send(call);
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('EZ');
      expect(errorFields(msgs[0]!.body)).toMatchObject({ S: 'ERROR', C: '0A000', M: 'function calls through the fastpath interface are not supported (function OID 952)' });
      expect(msgs[1]!.body[0]).toBe(0x49);
      raw.send(RawClient.frame('Q', (w) => w.cstring('select 1')));
      expect(types(await raw.until('Z'))).toBe('TDCZ');
      raw.send(RawClient.frame('F', (w) => w.i32(952).i16(0).i16(1).i32(100)));
      const bad = await raw.until('Z');
      expect(errorFields(bad[0]!.body)).toMatchObject({ S: 'FATAL', C: '08P01' });
      expect(raw.closed || (await raw.next()) === undefined).toBe(true);
    } finally {
      raw.close();
    }
  });

  const badInputs: [string, Uint8Array][] = [
    ['bytes that are not a startup packet', new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')],
    ['a startup length below 8', bytes((v) => v.setInt32(0, 3), 8)],
    ['an unsupported protocol version', bytes((v) => (v.setInt32(0, 8), v.setInt32(4, 0x00020000)), 8)],
  ];
  for (const [what, input] of badInputs) {
    test(`before startup, ${what} → an error and a closed connection`, async () => {
      const raw = await RawClient.open(server.port);
      raw.send(input);
      const m = await raw.next();
      expect(m?.type).toBe('E');
      expect(['08P01', '0A000']).toContain(errorFields(m!.body)['C']!);
      expect(await raw.next()).toBeUndefined();
    });
  }

  const badMessages: [string, (w: ByteWriter) => void, string][] = [
    ['an unknown message type', (w) => w.u8(0x7a).i32(4), '08P01'],
    ['a length below 4', (w) => w.u8(0x51).i32(3), '08P01'],
    ['a length over the maximum', (w) => w.u8(0x51).i32(0x7fffffff), '08P01'],
    ['a length just over the configured 1 MiB', (w) => w.u8(0x51).i32((1 << 20) + 1), '08P01'],
    ['a truncated Bind body', (w) => w.u8(0x42).i32(6).u8(0).u8(0), '08P01'],
  ];
  for (const [what, write, code] of badMessages) {
    test(`after startup, ${what} → FATAL 08P01 and a closed connection`, async () => {
      const raw = await connected();
      const w = new ByteWriter();
      write(w);
      raw.send(w.take());
      const m = await raw.next();
      expect(m?.type).toBe('E');
      expect(errorFields(m!.body)['C']).toBe(code);
      expect(errorFields(m!.body)['S']).toBe('FATAL');
      expect(await raw.next()).toBeUndefined();
    });
  }

  test('other clients keep working after a bad one is closed', async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'u' });
    await c.connect();
    try {
      const raw = await RawClient.open(server.port);
      raw.send(Uint8Array.of(0, 0, 0, 1, 2, 3, 4, 5));
      await raw.next();
      expect((await c.query('select 5 as five')).rows).toEqual([{ five: 5 }]);
    } finally {
      await c.end();
    }
  });
});

describe('backpressure', () => {
  test('a client that stops reading gets a large result whole once it reads again; others are served meanwhile', async () => {
    const raw = await RawClient.open(server.port);
    const other = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'other' });
    await other.connect();
    try {
      await raw.startup();
      raw.socket.pause();
      const pad = 'x'.repeat(200);
      raw.send(RawClient.frame('Q', (w) => w.cstring(`select g, '${pad}' as pad from generate_series(1, 60000) g`)));
      // Far more than the kernel's socket buffers hold: the server has to queue and wait for drain.
      await Bun.sleep(300);
      expect((await other.query('select 41 + 1 as v')).rows).toEqual([{ v: 42 }]);
      raw.socket.resume();
      const messages = await raw.until('Z');
      const rows = messages.filter((m) => m.type === 'D');
      expect(rows.length).toBe(60000);
      expect(dataRowFields(rows[59999]!.body).map((f) => f?.toString())).toEqual(['60000', pad]);
      expect(messages.find((m) => m.type === 'C')!.body.toString()).toBe('SELECT 60000\0');
    } finally {
      raw.close();
      await other.end();
    }
  });

  test('thousands of pipelined extended-protocol round trips sent before reading any answer all complete in order', async () => {
    const raw = await RawClient.open(server.port);
    try {
      await raw.startup();
      raw.socket.pause();
      const n = 5000;
      const frames = [parse('plus', 'select $1::int4 + 1')];
      for (let i = 0; i < n; i++) frames.push(bind('', 'plus', [new TextEncoder().encode(String(i))], 0, 0), RawClient.frame('E', (w) => w.cstring('').i32(0)), RawClient.frame('S'));
      raw.send(Uint8Array.from(Buffer.concat(frames)));
      await Bun.sleep(200);
      raw.socket.resume();
      const values: string[] = [];
      for (let ready = 0; ready < n; ) {
        const m = (await raw.next())!;
        if (m.type === 'D') values.push(dataRowFields(m.body)[0]!.toString());
        else if (m.type === 'Z') ready++;
        else expect(['1', '2', 'C']).toContain(m.type);
      }
      expect(values.length).toBe(n);
      expect(values.every((v, i) => v === String(i + 1))).toBe(true);
    } finally {
      raw.close();
    }
  });
});
