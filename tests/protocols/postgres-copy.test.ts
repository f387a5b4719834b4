// COPY FROM STDIN / TO STDOUT over the PostgreSQL protocol: raw messages (simple and extended), psql, and the text/CSV and binary codecs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T, type CopyFormat, type DataType } from '../../compiler/index.ts';
import { ByteWriter } from '../../protocols/kit/bytes.ts';
import { BinaryCopyDecoder, writeBinaryCopyHeader, writeBinaryCopyRow, writeBinaryCopyTrailer } from '../../protocols/postgres/copy-binary.ts';
import { OrbitError } from '../../runtime/index.ts';
import { CopyParser, encodeCopyRow } from '../../runtime/engine/copy.ts';
import { dataRowFields, errorFields, RawClient, startServer, type BackendMessage, type TestServer } from './postgres-support.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server.stop();
});

const query = (sql: string) => RawClient.frame('Q', (w) => w.cstring(sql));
const copyData = (data: string | Uint8Array) => RawClient.frame('d', (w) => w.bytes(typeof data === 'string' ? Buffer.from(data) : data));
const copyDone = () => RawClient.frame('c');
const copyFail = (why: string) => RawClient.frame('f', (w) => w.cstring(why));
const types = (msgs: BackendMessage[]) => msgs.map((m) => m.type).join('');
const tag = (m: BackendMessage | undefined) => m!.body.subarray(0, m!.body.length - 1).toString('utf8');

async function connected(): Promise<RawClient> {
  const raw = await RawClient.open(server.port);
  await raw.startup();
  return raw;
}

async function rows(raw: RawClient, sql: string): Promise<(string | null)[][]> {
  raw.send(query(sql));
  const msgs = await raw.until('Z');
  const err = msgs.find((m) => m.type === 'E');
  if (err) throw new Error(errorFields(err.body)['M']);
  return msgs.filter((m) => m.type === 'D').map((m) => dataRowFields(m.body).map((f) => (f === null ? null : f.toString('utf8'))));
}

describe('COPY over raw protocol messages', () => {
  test('COPY FROM STDIN: CopyInResponse, data split anywhere (even inside a UTF-8 character), CopyDone', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table cin (id int primary key, name text, note text)');
      raw.send(query('copy cin from stdin'));
      const g = await raw.next();
      expect(g!.type).toBe('G');
      expect(g!.body.readInt8(0)).toBe(0);
      expect(g!.body.readInt16BE(1)).toBe(3);
      expect([g!.body.readInt16BE(3), g!.body.readInt16BE(5), g!.body.readInt16BE(7)]).toEqual([0, 0, 0]);
      const data = Buffer.from('1\tzoë\t\\N\n2\tline\\nbreak\ttab\\there\n3\tback\\\\slash\t\\x41\\101\n');
      const cut = data.indexOf(0xc3) + 1;
      raw.send(copyData(data.subarray(0, 5)));
      raw.send(copyData(data.subarray(5, cut)));
      raw.send(copyData(data.subarray(cut)));
      raw.send(copyDone());
      const done = await raw.until('Z');
      expect(types(done)).toBe('CZ');
      expect(tag(done[0])).toBe('COPY 3');
      expect(await rows(raw, 'select id, name, note from cin order by id')).toEqual([
        ['1', 'zoë', null],
        ['2', 'line\nbreak', 'tab\there'],
        ['3', 'back\\slash', 'AA'],
      ]);
    } finally {
      raw.close();
    }
  });

  test('COPY TO STDOUT: CopyOutResponse, one CopyData per row, CopyDone, then COPY n', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table cout (id int primary key, t text, b boolean)');
      await rows(raw, "insert into cout values (1, 'a\tb', true), (2, null, false)");
      raw.send(query('copy cout to stdout'));
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('HddcCZ');
      expect(msgs[0]!.body.readInt16BE(1)).toBe(3);
      expect(msgs[1]!.body.toString()).toBe('1\ta\\tb\tt\n');
      expect(msgs[2]!.body.toString()).toBe('2\t\\N\tf\n');
      expect(tag(msgs[4])).toBe('COPY 2');
      raw.send(query("copy (select id, t from cout order by id desc) to stdout (format csv, header, null 'NULL')"));
      const csv = await raw.until('Z');
      expect(csv.filter((m) => m.type === 'd').map((m) => m.body.toString())).toEqual(['id,t\n', '2,NULL\n', '1,a\tb\n']);
    } finally {
      raw.close();
    }
  });

  test('CopyFail aborts the COPY: 57014, no rows kept, and the session goes on', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table cfail (id int primary key)');
      raw.send(query('copy cfail from stdin'));
      await raw.next();
      raw.send(copyData('1\n2\n'));
      raw.send(copyFail('changed my mind'));
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('EZ');
      const e = errorFields(msgs[0]!.body);
      expect(e['C']).toBe('57014');
      expect(e['M']).toBe('COPY from stdin failed: changed my mind');
      expect(await rows(raw, 'select count(*) from cfail')).toEqual([['0']]);
    } finally {
      raw.close();
    }
  });

  test('bad data fails the whole COPY with a CONTEXT line; later CopyData and CopyDone are ignored', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table cbad (id int primary key, v int not null)');
      raw.send(query('copy cbad from stdin'));
      await raw.next();
      raw.send(copyData('1\t10\n2\tten\n'));
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('EZ');
      const e = errorFields(msgs[0]!.body);
      expect(e['C']).toBe('22P02');
      expect(e['W']).toBe('COPY cbad, line 2');
      raw.send(copyData('3\t30\n'));
      raw.send(copyDone());
      expect(await rows(raw, 'select count(*) from cbad')).toEqual([['0']]);
      for (const [data, code, where] of [
        ['1\n', '22P04', 'COPY cbad, line 1'],
        ['1\t2\t3\n', '22P04', 'COPY cbad, line 1'],
        ['1\t1\n1\t2\n', '23505', 'COPY cbad, line 2'],
        ['1\t\\N\n', '23502', 'COPY cbad, line 1'],
      ] as const) {
        raw.send(query('copy cbad from stdin'));
        await raw.next();
        raw.send(copyData(data));
        raw.send(copyDone());
        const r = await raw.until('Z');
        const f = errorFields(r.find((m) => m.type === 'E')!.body);
        expect([f['C'], f['W']]).toEqual([code, where]);
      }
    } finally {
      raw.close();
    }
  });

  test('inside BEGIN the COPY is part of the transaction; ROLLBACK undoes it', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table ctx (id int primary key)');
      raw.send(query('begin; copy ctx from stdin'));
      const head = await raw.until('G');
      expect(types(head)).toBe('CG');
      raw.send(copyData('1\n2\n'));
      raw.send(copyDone());
      const done = await raw.until('Z');
      expect(done[done.length - 1]!.body[0]).toBe(0x54);
      expect(await rows(raw, 'select count(*) from ctx')).toEqual([['2']]);
      await rows(raw, 'rollback');
      expect(await rows(raw, 'select count(*) from ctx')).toEqual([['0']]);
    } finally {
      raw.close();
    }
  });

  test('extended protocol: COPY through Parse/Bind/Execute, Flush and Sync ignored during copy-in', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table cext (id int primary key, name text)');
      const parse = (sql: string) => RawClient.frame('P', (w) => w.cstring('').cstring(sql).i16(0));
      const bind = () => RawClient.frame('B', (w) => w.cstring('').cstring('').i16(0).i16(0).i16(0));
      const execute = () => RawClient.frame('E', (w) => w.cstring('').i32(0));
      raw.send(parse("copy cext from stdin (format csv, delimiter ';', null 'NA')"));
      raw.send(bind());
      raw.send(execute());
      raw.send(RawClient.frame('H'));
      const head = await raw.until('G');
      expect(types(head)).toBe('12G');
      raw.send(copyData('1;one\n2;NA\n'));
      raw.send(RawClient.frame('H'));
      raw.send(copyData('3;"NA"\n'));
      raw.send(copyDone());
      raw.send(RawClient.frame('S'));
      const done = await raw.until('Z');
      expect(types(done)).toBe('CZ');
      expect(tag(done[0])).toBe('COPY 3');
      raw.send(parse('copy cext to stdout (format csv)'));
      raw.send(bind());
      raw.send(RawClient.frame('D', (w) => w.u8(0x50).cstring('')));
      raw.send(execute());
      raw.send(RawClient.frame('S'));
      const out = await raw.until('Z');
      expect(types(out)).toBe('12nHdddcCZ');
      expect(out.filter((m) => m.type === 'd').map((m) => m.body.toString())).toEqual(['1,one\n', '2,\n', '3,NA\n']);
    } finally {
      raw.close();
    }
  });

  test('a Query during copy-in is a protocol error that fails the COPY; the connection stays usable', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table cq (id int primary key)');
      raw.send(query('copy cq from stdin'));
      await raw.next();
      raw.send(query('select 1'));
      const msgs = await raw.until('Z');
      expect(errorFields(msgs[0]!.body)['C']).toBe('08P01');
      expect(await rows(raw, 'select 2')).toEqual([['2']]);
    } finally {
      raw.close();
    }
  });
});

describe('COPY with psql', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orbit-pgcopy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function psql(input: string, ...args: string[]): Promise<{ out: string; err: string; code: number }> {
    const p = Bun.spawn(['psql', '-X', '-q', '-h', '127.0.0.1', '-p', String(server.port), '-U', 'x', '-d', 'x', ...args], {
      stdin: Buffer.from(input),
      stdout: 'pipe',
      stderr: 'pipe',
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { out, err, code };
  }

  test('COPY … FROM STDIN piped into psql, text and CSV with HEADER, DELIMITER and NULL; COPY TO STDOUT', async () => {
    expect((await psql('', '-c', 'create table pets (id int primary key, name text, born date)')).code).toBe(0);
    const text = await psql('1\trex\t2020-01-02\n2\t\\N\t\\N\n', '-c', 'copy pets from stdin');
    expect(text.err).toBe('');
    const csv = await psql('name|id|born\n"tom|cat"|3|-\n"" |4|2021-12-31\n', '-c', "copy pets (name, id, born) from stdin with (format csv, header true, delimiter '|', null '-')");
    expect(csv.err).toBe('');
    const out = await psql('', '-c', 'copy pets to stdout');
    expect(out.out).toBe('1\trex\t2020-01-02\n2\t\\N\t\\N\n3\ttom|cat\t\\N\n4\t \t2021-12-31\n');
    const outCsv = await psql('', '-c', "copy (select * from pets where id > 2) to stdout with csv header delimiter ';'");
    expect(outCsv.out).toBe('id;name;born\n3;tom|cat;\n4; ;2021-12-31\n');
  });

  test('a script with inline COPY data ended by \\.', async () => {
    const r = await psql('create table inline (a int, b text);\ncopy inline from stdin;\n1\tone\n2\ttwo\n\\.\nselect b from inline order by a;\n', '-A', '-t');
    expect(r.err).toBe('');
    expect(r.out).toBe('one\ntwo\n');
  });

  test('\\copy from and to local files, and an error with its CONTEXT line', async () => {
    writeFileSync(join(dir, 'in.csv'), 'id,score\n1,1.5\n2,\n3,"2.25"\n');
    const load = await psql('', '-c', 'create table scores (id int primary key, score float8)', '-c', `\\copy scores from '${join(dir, 'in.csv')}' csv header`);
    expect(load.err).toBe('');
    const save = await psql('', '-c', `\\copy (select id, score * 2 as doubled from scores order by id) to '${join(dir, 'out.csv')}' with (format csv, header)`);
    expect(save.err).toBe('');
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('id,doubled\n1,3\n2,\n3,4.5\n');
    const bad = await psql('4\tfour\n', '-c', 'copy scores from stdin');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('ERROR:  invalid input syntax for type double precision: "four"\nCONTEXT:  COPY scores, line 1\n');
  });

  test('\\copy in binary format: out to a file and back in, every value the same', async () => {
    const file = join(dir, 'pets.bin');
    const out = await psql('', '-c', `\\copy pets to '${file}' with (format binary)`);
    expect(out.err).toBe('');
    expect(readFileSync(file).subarray(0, 11)).toEqual(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
    const back = await psql('', '-c', 'create table pets2 (id int primary key, name text, born date)', '-c', `\\copy pets2 from '${file}' (format binary)`);
    expect(back.err).toBe('');
    const a = await psql('', '-c', 'copy (select * from pets order by id) to stdout');
    const b = await psql('', '-c', 'copy (select * from pets2 order by id) to stdout');
    expect(b.out).toBe(a.out);
    expect(b.out.split('\n').length).toBe(5);
  });

  test('option mistakes are errors with positions', async () => {
    const r = await psql('', '-c', "copy pets to stdout (format binary, delimiter ',')");
    expect(r.err).toContain('ERROR:  cannot specify DELIMITER in BINARY mode');
    const f = await psql('', '-c', 'copy pets to stdout (format xml)');
    expect(f.err).toContain('ERROR:  COPY format "xml" not recognized');
    const h = await psql('', '-c', 'copy pets to stdout (header)');
    expect(h.err).toContain('ERROR:  COPY HEADER available only in CSV mode');
    const n = await psql('', '-c', 'copy nosuch from stdin');
    expect(n.err).toContain('ERROR:  relation "nosuch" does not exist');
  });
});

describe('binary COPY over raw protocol messages', () => {
  const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
  /** A hand-built binary COPY stream: header, tuples of (int4, text, bool) fields, trailer. */
  function stream(rowsIn: readonly (readonly [number | null, string | null, boolean | null])[], trailer = true): Buffer {
    const w = new ByteWriter();
    w.bytes(SIGNATURE).i32(0).i32(0);
    for (const [id, name, ok] of rowsIn) {
      w.i16(3);
      if (id === null) w.i32(-1);
      else w.i32(4).i32(id);
      if (name === null) w.i32(-1);
      else w.i32(Buffer.byteLength(name)).bytes(Buffer.from(name));
      if (ok === null) w.i32(-1);
      else w.i32(1).u8(ok ? 1 : 0);
    }
    if (trailer) w.i16(-1);
    return Buffer.from(w.take());
  }

  test('COPY FROM STDIN (FORMAT binary): CopyInResponse says binary; data split anywhere', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table bin (id int primary key, name text, ok boolean)');
      raw.send(query('copy bin from stdin (format binary)'));
      const g = await raw.next();
      expect(g!.type).toBe('G');
      expect([g!.body.readInt8(0), g!.body.readInt16BE(1), g!.body.readInt16BE(3), g!.body.readInt16BE(5), g!.body.readInt16BE(7)]).toEqual([1, 3, 1, 1, 1]);
      const data = stream([[1, 'zoë', true], [2, null, false], [3, '', null]]);
      for (const [a, b] of [[0, 3], [3, 19], [19, 40], [40, data.length]] as const) raw.send(copyData(data.subarray(a, b)));
      raw.send(copyDone());
      const done = await raw.until('Z');
      expect(types(done)).toBe('CZ');
      expect(tag(done[0])).toBe('COPY 3');
      expect(await rows(raw, 'select id, name, ok from bin order by id')).toEqual([
        ['1', 'zoë', 't'],
        ['2', null, 'f'],
        ['3', '', null],
      ]);
    } finally {
      raw.close();
    }
  });

  test('COPY TO STDOUT (FORMAT binary): the header rides with the first row, one CopyData per row, the trailer alone', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table bout (id int primary key, name text, ok boolean)');
      await rows(raw, "insert into bout values (1, 'a', true), (2, null, false)");
      raw.send(query('copy bout to stdout with (format binary)'));
      const msgs = await raw.until('Z');
      expect(types(msgs)).toBe('HdddcCZ');
      expect(msgs[0]!.body.readInt8(0)).toBe(1);
      const body = Buffer.concat(msgs.filter((m) => m.type === 'd').map((m) => m.body));
      expect([...body]).toEqual([...stream([[1, 'a', true], [2, null, false]])]);
      expect([...msgs[3]!.body]).toEqual([0xff, 0xff]);
      expect(tag(msgs[5])).toBe('COPY 2');
      raw.send(query('copy (select * from bout where id > 5) to stdout (format binary)'));
      const none = await raw.until('Z');
      expect(types(none)).toBe('HdcCZ');
      expect(none[1]!.body).toEqual(stream([]));
    } finally {
      raw.close();
    }
  });

  test('malformed binary data fails the COPY (22P04/22P03), keeps no rows and leaves the connection usable', async () => {
    const raw = await connected();
    try {
      await rows(raw, 'create table bbad (id int primary key, name text, ok boolean)');
      const good = stream([[1, 'x', true]]);
      const wrongCount = Buffer.concat([SIGNATURE, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])]);
      const badBool = stream([[1, 'x', true]]);
      badBool.writeInt32BE(2, badBool.length - 7);
      const badField = Buffer.concat([badBool.subarray(0, badBool.length - 3), Buffer.from([1, 0]), badBool.subarray(badBool.length - 2)]);
      for (const [data, code, message] of [
        [Buffer.from('1\tx\tt\n2\ty\tf\n3\tz\tt\n'), '22P04', 'COPY file signature not recognized'],
        [SIGNATURE.subarray(0, 6), '22P04', 'invalid COPY file header (missing signature)'],
        [wrongCount, '22P04', 'row field count is 2, expected 3'],
        [good.subarray(0, good.length - 4), '22P04', 'unexpected EOF in COPY data'],
        [badField, '22P03', 'incorrect binary data format in COPY field'],
      ] as const) {
        raw.send(query('copy bbad from stdin (format binary)'));
        expect((await raw.next())!.type).toBe('G');
        raw.send(copyData(data));
        raw.send(copyDone());
        const r = await raw.until('Z');
        const f = errorFields(r.find((m) => m.type === 'E')!.body);
        expect([f['S'], f['C'], f['M']]).toEqual(['ERROR', code, message]);
      }
      expect(await rows(raw, 'select count(*) from bbad')).toEqual([['0']]);
      // A stream that ends between tuples without the trailer is accepted, as PostgreSQL does.
      raw.send(query('copy bbad from stdin (format binary)'));
      await raw.next();
      raw.send(copyData(stream([[7, 'y', false]], false)));
      raw.send(copyDone());
      expect(tag((await raw.until('Z'))[0])).toBe('COPY 1');
    } finally {
      raw.close();
    }
  });
});

describe('binary COPY codec', () => {
  const columnTypes: DataType[] = [T.int32, T.text, T.bool, T.int64, { kind: 'decimal' }];
  const cell = [
    fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
    fc.option(fc.string({ unit: 'grapheme' }), { nil: null }),
    fc.option(fc.boolean(), { nil: null }),
    fc.option(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { nil: null }),
    fc.option(fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 6 })).map(([n, s]) => decimalText(n, s)), { nil: null }),
  ] as const;
  function decimalText(n: bigint, scale: number): string {
    const neg = n < 0n;
    const digits = (neg ? -n : n).toString().padStart(scale + 1, '0');
    const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
    return neg && /[1-9]/.test(body) ? `-${body}` : body;
  }

  test('any rows survive encoding, any chunking and decoding', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(...cell), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (rowsIn, cuts) => {
        const w = new ByteWriter();
        writeBinaryCopyHeader(w);
        for (const r of rowsIn) writeBinaryCopyRow(w, r, columnTypes);
        writeBinaryCopyTrailer(w);
        const bytes = w.take();
        const d = new BinaryCopyDecoder(columnTypes);
        const out: unknown[][] = [];
        let at = 0;
        for (const c of cuts.map((n) => n % (bytes.length + 1)).sort((a, b) => a - b)) {
          out.push(...d.push(bytes.subarray(at, Math.max(at, c))));
          at = Math.max(at, c);
        }
        out.push(...d.push(bytes.subarray(at)));
        d.end();
        expect(out).toEqual(rowsIn.map((r) => [...r]));
      }),
      { numRuns: 500 },
    );
  });

  test('garbage never escapes as anything but a COPY error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
        const w = new ByteWriter();
        writeBinaryCopyHeader(w);
        const d = new BinaryCopyDecoder(columnTypes);
        try {
          d.push(Buffer.concat([w.take(), junk]));
          d.end();
        } catch (e) {
          expect(e).toBeInstanceOf(OrbitError);
          expect(['22P03', '22P04', '0A000', '22021']).toContain((e as OrbitError).sqlstate);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('COPY text and CSV codec', () => {
  const text: CopyFormat = { format: 'text', delimiter: '\t', null: '\\N', header: false, quote: '"', escape: '"' };
  const csv: CopyFormat = { format: 'csv', delimiter: ',', null: '', header: false, quote: '"', escape: '"' };
  const csvOdd: CopyFormat = { format: 'csv', delimiter: ';', null: 'NULL', header: false, quote: "'", escape: '\\' };
  const value = fc.oneof(fc.constant(null), fc.string({ unit: fc.constantFrom('a', 'é', '😀', '\t', '\n', '\r', '\\', '"', "'", ',', ';', ' ', '.', 'N', 'U', 'L') }));

  for (const [name, f] of [['text', text], ['csv', csv], ['csv with other quote, escape and null', csvOdd]] as const) {
    test(`${name}: any rows survive encoding, any chunking and parsing`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4 }).chain((w) => fc.array(fc.array(value, { minLength: w, maxLength: w }), { maxLength: 6 }).map((rs) => [w, rs] as const)), fc.array(fc.nat(), { maxLength: 6 }), ([width, rowsIn], cuts) => {
          const bytes = Buffer.from(rowsIn.map((r) => encodeCopyRow(r, f)).join(''));
          const p = new CopyParser(f, width, 't');
          const out = [];
          let at = 0;
          for (const c of [...cuts.map((n) => n % (bytes.length + 1))].sort((a, b) => a - b)) {
            out.push(...p.push(bytes.subarray(at, Math.max(at, c))));
            at = Math.max(at, c);
          }
          out.push(...p.push(bytes.subarray(at)), ...p.end());
          expect(out).toEqual(rowsIn.map((r) => [...r]));
        }),
        { numRuns: 1000 },
      );
    });
  }
});
