// String, counter and bitmap commands (Redis 7 semantics: SET options, INCR family, ranges, bits).
import { fail, failWith } from '../errors.ts';
import type { Handler } from '../keyspace.ts';
import { arg, args, getString, has, inInt64, optArg, parseBig, parseFloatArg, parseInteger, formatFloatSum } from './util.ts';

/** Largest expiry time in ms Redis accepts (LLONG_MAX). */
const MAX_MS = 9223372036854775807;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Strings are capped at Redis's proto-max-bulk-len default. */
const MAX_STRING = 512 * 1024 * 1024;

/** Absolute expiry in ms from SET/GETEX options, or undefined for none; `name` for the error text. */
function expiryFrom(op: Parameters<Handler>[1], name: string): number | undefined {
  let at: number | undefined;
  const check = (n: number, unit: number, absolute: boolean): number => {
    // Redis's bound: the time in ms (absolute, after adding now) must fit a signed 64-bit integer.
    if (n <= 0 || n * unit > MAX_MS || (!absolute && n * unit + Date.now() > MAX_MS)) failWith(`ERR invalid expire time in '${name}' command`);
    return absolute ? n * unit : Date.now() + n * unit;
  };
  if (has(op, 'EX')) at = check(parseInteger(arg(op, 'seconds')), 1000, false);
  else if (has(op, 'PX')) at = check(parseInteger(arg(op, 'milliseconds')), 1, false);
  else if (has(op, 'EXAT')) at = check(parseInteger(arg(op, 'unix-time-seconds')), 1000, true);
  else if (has(op, 'PXAT')) at = check(parseInteger(arg(op, 'unix-time-milliseconds')), 1, true);
  return at;
}

function incrBy(ks: Parameters<Handler>[0], db: number, key: string, by: bigint | number): number | bigint {
  if (typeof by === 'number' || (by >= -MAX_SAFE && by <= MAX_SAFE)) {
    const next = ks.incrInline(db, key, Number(by));
    if (next !== undefined) return next;
  }
  const cur = getString(ks, db, key);
  let next: number | bigint;
  if (typeof by === 'number' && (cur === undefined || cur.length < 16)) {
    const base = cur === undefined ? 0 : parseIntValue(cur);
    next = base + by;
    if (!Number.isSafeInteger(next)) next = BigInt(base) + BigInt(by);
  } else {
    next = (cur === undefined ? 0n : parseBigValue(cur)) + BigInt(by);
  }
  if (typeof next === 'bigint' && !inInt64(next)) fail('overflow');
  ks.put(db, key, String(next));
  return next;
}

function parseIntValue(s: string): number {
  return parseInteger(s);
}

function parseBigValue(s: string): bigint {
  return parseBig(s);
}

function setString(ks: Parameters<Handler>[0], db: number, key: string, v: string): void {
  if (v.length > MAX_STRING) fail('string_too_long');
  ks.put(db, key, v);
}

export const stringCommands: Record<string, Handler> = {
  GET(ks, op, c, out) {
    if (ks.replyString(c.db, op.argv[1]!, out)) ks.stats.keyspaceHits++;
    else {
      ks.stats.keyspaceMisses++;
      out.bulk(null);
    }
  },
  SET(ks, op, c, out) {
    const key = op.argv[1]!;
    const value = op.argv[2]!;
    if (op.argv.length === 3) {
      ks.put(c.db, key, value, false);
      out.simple('OK');
      return;
    }
    const at = expiryFrom(op, 'set');
    const prev = ks.get(c.db, key);
    const get = has(op, 'GET');
    if (get && prev !== undefined && typeof prev !== 'string') fail('wrongtype');
    if ((has(op, 'NX') && prev !== undefined) || (has(op, 'XX') && prev === undefined)) {
      if (get) out.bulk((prev as string | undefined) ?? null);
      else out.bulk(null);
      return;
    }
    const keep = has(op, 'KEEPTTL');
    ks.put(c.db, key, value, keep);
    if (at !== undefined) ks.setExpire(c.db, key, at);
    if (get) out.bulk((prev as string | undefined) ?? null);
    else out.simple('OK');
  },
  SETNX(ks, op, c, out) {
    if (ks.get(c.db, op.argv[1]!) !== undefined) return out.integer(0);
    ks.put(c.db, op.argv[1]!, op.argv[2]!, false);
    out.integer(1);
  },
  SETEX(ks, op, c, out) {
    const n = parseInteger(arg(op, 'seconds'));
    if (n <= 0) failWith("ERR invalid expire time in 'setex' command");
    ks.put(c.db, op.argv[1]!, arg(op, 'value'), false);
    ks.setExpire(c.db, op.argv[1]!, Date.now() + n * 1000);
    out.simple('OK');
  },
  PSETEX(ks, op, c, out) {
    const n = parseInteger(arg(op, 'milliseconds'));
    if (n <= 0) failWith("ERR invalid expire time in 'psetex' command");
    ks.put(c.db, op.argv[1]!, arg(op, 'value'), false);
    ks.setExpire(c.db, op.argv[1]!, Date.now() + n);
    out.simple('OK');
  },
  GETSET(ks, op, c, out) {
    const prev = getString(ks, c.db, op.argv[1]!);
    ks.put(c.db, op.argv[1]!, op.argv[2]!, false);
    out.bulk(prev ?? null);
  },
  GETDEL(ks, op, c, out) {
    const prev = getString(ks, c.db, op.argv[1]!);
    if (prev !== undefined) ks.delete(c.db, op.argv[1]!);
    out.bulk(prev ?? null);
  },
  GETEX(ks, op, c, out) {
    const key = op.argv[1]!;
    const at = expiryFrom(op, 'getex');
    const v = getString(ks, c.db, key);
    if (v !== undefined) {
      if (at !== undefined) ks.setExpire(c.db, key, at);
      else if (has(op, 'PERSIST') && ks.expireAt(c.db, key) !== undefined) ks.setExpire(c.db, key, undefined);
    }
    out.bulk(v ?? null);
  },
  MGET(ks, op, c, out) {
    out.array(op.argv.length - 1);
    for (let i = 1; i < op.argv.length; i++) {
      const v = ks.get(c.db, op.argv[i]!);
      out.bulk(typeof v === 'string' ? v : null);
    }
  },
  MSET(ks, op, c, out) {
    for (let i = 1; i < op.argv.length; i += 2) ks.put(c.db, op.argv[i]!, op.argv[i + 1]!, false);
    out.simple('OK');
  },
  MSETNX(ks, op, c, out) {
    for (let i = 1; i < op.argv.length; i += 2) if (ks.get(c.db, op.argv[i]!) !== undefined) return out.integer(0);
    for (let i = 1; i < op.argv.length; i += 2) ks.put(c.db, op.argv[i]!, op.argv[i + 1]!, false);
    out.integer(1);
  },
  APPEND(ks, op, c, out) {
    const v = (getString(ks, c.db, op.argv[1]!) ?? '') + op.argv[2]!;
    setString(ks, c.db, op.argv[1]!, v);
    out.integer(v.length);
  },
  STRLEN(ks, op, c, out) {
    out.integer(getString(ks, c.db, op.argv[1]!)?.length ?? 0);
  },
  GETRANGE(ks, op, c, out) {
    let start = parseInteger(arg(op, 'start'));
    let end = parseInteger(arg(op, 'end'));
    const v = getString(ks, c.db, op.argv[1]!) ?? '';
    if (start < 0 && end < 0 && start > end) return out.bulk('');
    if (start < 0) start = Math.max(0, v.length + start);
    if (end < 0) end = Math.max(0, v.length + end);
    if (end >= v.length) end = v.length - 1;
    if (start > end || v.length === 0) return out.bulk('');
    out.bulk(v.slice(start, end + 1));
  },
  SETRANGE(ks, op, c, out) {
    const offset = parseInteger(arg(op, 'offset'));
    if (offset < 0) fail('offset_out_of_range');
    const piece = arg(op, 'value');
    const cur = getString(ks, c.db, op.argv[1]!);
    if (piece.length === 0) return out.integer(cur?.length ?? 0);
    if (offset + piece.length > MAX_STRING) fail('string_too_long');
    let base = cur ?? '';
    if (base.length < offset) base += '\0'.repeat(offset - base.length);
    const next = base.slice(0, offset) + piece + base.slice(offset + piece.length);
    ks.put(c.db, op.argv[1]!, next);
    out.integer(next.length);
  },
  INCR(ks, op, c, out) {
    out.integer(incrBy(ks, c.db, op.argv[1]!, 1));
  },
  DECR(ks, op, c, out) {
    out.integer(incrBy(ks, c.db, op.argv[1]!, -1));
  },
  INCRBY(ks, op, c, out) {
    out.integer(incrBy(ks, c.db, op.argv[1]!, parseBig(arg(op, 'increment'))));
  },
  DECRBY(ks, op, c, out) {
    const by = parseBig(arg(op, 'decrement'));
    if (by === -9223372036854775808n) fail('decrement_overflow');
    out.integer(incrBy(ks, c.db, op.argv[1]!, -by));
  },
  INCRBYFLOAT(ks, op, c, out) {
    const by = parseFloatArg(arg(op, 'increment'));
    const cur = getString(ks, c.db, op.argv[1]!);
    let base = 0;
    if (cur !== undefined) {
      const n = Number(cur);
      if (cur.trim() !== cur || cur === '' || Number.isNaN(n)) fail('not_float');
      base = n;
    }
    const next = base + by;
    if (!Number.isFinite(next)) fail('nan');
    const text = formatFloatSum(cur ?? '0', arg(op, 'increment'), next);
    ks.put(c.db, op.argv[1]!, text);
    out.bulk(text);
  },

  // ─── Bitmaps (bit 0 is the most significant bit of byte 0) ───────────
  SETBIT(ks, op, c, out) {
    const off = bitOffset(arg(op, 'offset'));
    const bit = arg(op, 'value');
    if (bit !== '0' && bit !== '1') fail('bit_value');
    const key = op.argv[1]!;
    let v = getString(ks, c.db, key) ?? '';
    const byte = off >> 3;
    if (v.length <= byte) v += '\0'.repeat(byte + 1 - v.length);
    const mask = 0x80 >> (off & 7);
    const old = v.charCodeAt(byte);
    const nb = bit === '1' ? old | mask : old & ~mask;
    ks.put(c.db, key, v.slice(0, byte) + String.fromCharCode(nb) + v.slice(byte + 1));
    out.integer(old & mask ? 1 : 0);
  },
  GETBIT(ks, op, c, out) {
    const off = bitOffset(arg(op, 'offset'));
    const v = getString(ks, c.db, op.argv[1]!) ?? '';
    const byte = off >> 3;
    out.integer(byte < v.length && v.charCodeAt(byte) & (0x80 >> (off & 7)) ? 1 : 0);
  },
  BITCOUNT(ks, op, c, out) {
    const v = getString(ks, c.db, op.argv[1]!) ?? '';
    const [from, to] = bitRange(op, v.length, 'start', 'end');
    let n = 0;
    for (let i = from; i <= to; i++) if (bitAt(v, i)) n++;
    out.integer(n);
  },
  BITPOS(ks, op, c, out) {
    const bit = arg(op, 'bit');
    if (bit !== '0' && bit !== '1') fail('bit_value');
    const want = bit === '1';
    const v = getString(ks, c.db, op.argv[1]!);
    if (v === undefined) return out.integer(want ? -1 : 0);
    const [from, to] = bitRange(op, v.length, 'start', 'end');
    for (let i = from; i <= to; i++) if (bitAt(v, i) === want) return out.integer(i);
    // Looking for a clear bit with no explicit end: the string is padded with zeros on the right.
    out.integer(!want && optArg(op, 'end') === undefined && to >= from ? to + 1 : -1);
  },
  BITOP(ks, op, c, out) {
    const kind = op.choices[0]!;
    const sources = args(op, 'key').map((k) => getString(ks, c.db, k) ?? '');
    if (kind === 'NOT' && sources.length !== 1) fail('bitop_not_one');
    const len = Math.max(0, ...sources.map((s) => s.length));
    let res = '';
    for (let i = 0; i < len; i++) {
      let b = i < sources[0]!.length ? sources[0]!.charCodeAt(i) : 0;
      if (kind === 'NOT') b = ~b & 0xff;
      for (let s = 1; s < sources.length; s++) {
        const x = i < sources[s]!.length ? sources[s]!.charCodeAt(i) : 0;
        b = kind === 'AND' ? b & x : kind === 'OR' ? b | x : b ^ x;
      }
      res += String.fromCharCode(b);
    }
    const dest = arg(op, 'destkey');
    if (len === 0) ks.delete(c.db, dest);
    else ks.put(c.db, dest, res, false);
    out.integer(len);
  },
};

function bitOffset(s: string): number {
  const ok = /^(0|[1-9][0-9]*)$/.test(s);
  const n = ok ? Number(s) : -1;
  if (!ok || n >= 2 ** 32) fail('bit_offset');
  return n;
}

function bitAt(v: string, i: number): boolean {
  return (v.charCodeAt(i >> 3) & (0x80 >> (i & 7))) !== 0;
}

/** Inclusive bit range of BITCOUNT/BITPOS from byte (default) or bit start/end. */
function bitRange(op: Parameters<Handler>[1], bytes: number, s: string, e: string): [number, number] {
  const bits = has(op, 'BIT');
  const total = bits ? bytes * 8 : bytes;
  const rs = optArg(op, s);
  const re = optArg(op, e);
  let start = rs === undefined ? 0 : parseInteger(rs);
  let end = re === undefined ? total - 1 : parseInteger(re);
  if (start < 0) start = Math.max(0, total + start);
  if (end < 0) end = Math.max(0, total + end);
  // A negative pair that stays negative after wrapping selects nothing.
  if (re !== undefined && parseInteger(re) < 0 && total + parseInteger(re) < 0) return [1, 0];
  if (end >= total) end = total - 1;
  if (start > end) return [1, 0];
  return bits ? [start, end] : [start * 8, end * 8 + 7];
}
