// Generic key commands: existence, type, renaming, copying, scanning and TTLs; DBSIZE and FLUSHDB.
import { fail } from '../errors.ts';
import { globMatch } from '../glob.ts';
import { DATABASES, type Handler, type Keyspace } from '../keyspace.ts';
import { Deque, Hash, MemberSet, ZSet, typeName, type Value } from '../values.ts';
import { arg, has, optArg, parseInteger } from './util.ts';

function clone(v: Value): Value {
  if (typeof v === 'string') return v;
  if (v instanceof Deque) {
    const d = new Deque();
    for (let i = 0; i < v.length; i++) d.pushBack(v.at(i));
    return d;
  }
  if (v instanceof Map) return new Hash(v);
  if (v instanceof Set) return new MemberSet(v);
  const z = new ZSet();
  for (const m of v.order) {
    z.scores.set(m, v.scores.get(m)!);
    z.order.push(m);
  }
  return z;
}

/** Applies EXPIRE-family options to a new absolute time; returns whether it was set. */
function setExpiry(ks: Keyspace, db: number, op: Parameters<Handler>[1], at: number): boolean {
  const key = op.argv[1]!;
  if (ks.get(db, key) === undefined) return false;
  const nx = has(op, 'NX');
  const xx = has(op, 'XX');
  const gt = has(op, 'GT');
  const lt = has(op, 'LT');
  if (nx && (xx || gt || lt)) fail('expire_options');
  if (gt && lt) fail('expire_gt_lt');
  const cur = ks.expireAt(db, key);
  if (nx && cur !== undefined) return false;
  if (xx && cur === undefined) return false;
  // No TTL counts as an infinite one for GT and LT.
  if (gt && (cur === undefined || at <= cur)) return false;
  if (lt && cur !== undefined && at >= cur) return false;
  ks.setExpire(db, key, at);
  return true;
}

function expireCommand(unit: number, absolute: boolean, name: string): Handler {
  return (ks, op, c, out) => {
    const n = parseInteger(op.argv[2]!);
    const at = absolute ? n * unit : Date.now() + n * unit;
    if (!Number.isSafeInteger(at)) {
      out.error(`ERR invalid expire time in '${name}' command`);
      return;
    }
    out.integer(setExpiry(ks, c.db, op, at) ? 1 : 0);
  };
}

function ttlCommand(unit: number, absolute: boolean): Handler {
  return (ks, op, c, out) => {
    const key = op.argv[1]!;
    if (ks.peek(c.db, key) === undefined) return out.integer(-2);
    const at = ks.expireAt(c.db, key);
    if (at === undefined) return out.integer(-1);
    out.integer(absolute ? Math.floor(at / unit) : Math.max(0, Math.round((at - Date.now()) / unit)));
  };
}

/** Cursor-based iteration shared by SCAN, HSCAN, SSCAN and ZSCAN: the cursor is an index into a snapshot of the names. */
export function scanNames(names: readonly string[], cursor: number, count: number, accept: (name: string) => boolean): { next: number; hits: string[] } {
  const hits: string[] = [];
  let i = cursor;
  for (; i < names.length && i < cursor + count; i++) if (accept(names[i]!)) hits.push(names[i]!);
  return { next: i >= names.length ? 0 : i, hits };
}

/** The cursor and COUNT of a SCAN-family call. */
export function scanArgs(op: Parameters<Handler>[1]): { cursor: number; count: number; match: string | undefined } {
  const raw = arg(op, 'cursor');
  if (!/^[0-9]+$/.test(raw)) fail('invalid_cursor');
  const count = optArg(op, 'count') === undefined ? 10 : parseInteger(optArg(op, 'count')!);
  if (count < 1) fail('syntax');
  return { cursor: Number(raw), count, match: optArg(op, 'pattern') };
}

export const keyCommands: Record<string, Handler> = {
  DEL(ks, op, c, out) {
    let n = 0;
    for (let i = 1; i < op.argv.length; i++) if (ks.delete(c.db, op.argv[i]!)) n++;
    out.integer(n);
  },
  UNLINK(ks, op, c, out) {
    let n = 0;
    for (let i = 1; i < op.argv.length; i++) if (ks.delete(c.db, op.argv[i]!)) n++;
    out.integer(n);
  },
  EXISTS(ks, op, c, out) {
    let n = 0;
    for (let i = 1; i < op.argv.length; i++) if (ks.peek(c.db, op.argv[i]!) !== undefined) n++;
    out.integer(n);
  },
  TOUCH(ks, op, c, out) {
    let n = 0;
    for (let i = 1; i < op.argv.length; i++) if (ks.get(c.db, op.argv[i]!) !== undefined) n++;
    out.integer(n);
  },
  TYPE(ks, op, c, out) {
    const v = ks.peek(c.db, op.argv[1]!);
    out.simple(v === undefined ? 'none' : typeName(v));
  },
  KEYS(ks, op, c, out) {
    const pattern = op.argv[1]!;
    const hits: string[] = [];
    for (const key of ks.dbs[c.db]!.keys()) if ((pattern === '*' || globMatch(pattern, key)) && ks.peek(c.db, key) !== undefined) hits.push(key);
    out.array(hits.length);
    for (const k of hits) out.bulk(k);
  },
  SCAN(ks, op, c, out) {
    const { cursor, count, match } = scanArgs(op);
    const type = optArg(op, 'type')?.toLowerCase();
    const { next, keys } = ks.dbs[c.db]!.scan(cursor, count);
    const hits = keys.filter((k) => {
      const v = ks.peek(c.db, k);
      return v !== undefined && (match === undefined || globMatch(match, k)) && (type === undefined || typeName(v) === type);
    });
    out.array(2);
    out.bulk(String(next));
    out.array(hits.length);
    for (const k of hits) out.bulk(k);
  },
  RENAME(ks, op, c, out) {
    const [, from, to] = op.argv as [string, string, string];
    const v = ks.get(c.db, from);
    if (v === undefined) fail('no_such_key');
    if (from !== to) {
      const at = ks.expireAt(c.db, from);
      ks.delete(c.db, from);
      ks.put(c.db, to, v, false);
      if (at !== undefined) ks.setExpire(c.db, to, at);
    }
    out.simple('OK');
  },
  RENAMENX(ks, op, c, out) {
    const [, from, to] = op.argv as [string, string, string];
    const v = ks.get(c.db, from);
    if (v === undefined) fail('no_such_key');
    if (ks.get(c.db, to) !== undefined) return out.integer(0);
    const at = ks.expireAt(c.db, from);
    ks.delete(c.db, from);
    ks.put(c.db, to, v, false);
    if (at !== undefined) ks.setExpire(c.db, to, at);
    out.integer(1);
  },
  RANDOMKEY(ks, _op, c, out) {
    // Keys picked may have expired (and go on access): try a few, as Redis does.
    for (let attempt = 0; attempt < 100; attempt++) {
      const k = ks.dbs[c.db]!.randomKey();
      if (k === undefined) break;
      if (ks.peek(c.db, k) !== undefined) return out.bulk(k);
    }
    out.bulk(null);
  },
  COPY(ks, op, c, out) {
    const src = arg(op, 'source');
    const dst = arg(op, 'destination');
    let db = c.db;
    const rawDb = optArg(op, 'destination-db');
    if (rawDb !== undefined) {
      db = parseInteger(rawDb);
      if (db < 0 || db >= DATABASES) fail('db_out_of_range');
    }
    if (src === dst && db === c.db) fail('same_object');
    const v = ks.get(c.db, src);
    if (v === undefined) return out.integer(0);
    if (ks.get(db, dst) !== undefined && !has(op, 'REPLACE')) return out.integer(0);
    ks.put(db, dst, clone(v), false);
    const at = ks.expireAt(c.db, src);
    if (at !== undefined) ks.setExpire(db, dst, at);
    out.integer(1);
  },
  EXPIRE: expireCommand(1000, false, 'expire'),
  PEXPIRE: expireCommand(1, false, 'pexpire'),
  EXPIREAT: expireCommand(1000, true, 'expireat'),
  PEXPIREAT: expireCommand(1, true, 'pexpireat'),
  TTL: ttlCommand(1000, false),
  PTTL: ttlCommand(1, false),
  EXPIRETIME: ttlCommand(1000, true),
  PEXPIRETIME: ttlCommand(1, true),
  PERSIST(ks, op, c, out) {
    const key = op.argv[1]!;
    if (ks.get(c.db, key) === undefined || ks.expireAt(c.db, key) === undefined) return out.integer(0);
    ks.setExpire(c.db, key, undefined);
    out.integer(1);
  },
  'OBJECT|ENCODING'(ks, op, c, out) {
    const v = ks.peek(c.db, arg(op, 'key'));
    if (v === undefined) return out.bulk(null);
    if (typeof v === 'string') out.bulk(/^-?(0|[1-9][0-9]{0,18})$/.test(v) ? 'int' : v.length <= 44 ? 'embstr' : 'raw');
    else if (v instanceof Deque) out.bulk('quicklist');
    else if (v instanceof Map) out.bulk(v.size <= 128 ? 'listpack' : 'hashtable');
    else if (v instanceof Set) out.bulk(v.size <= 128 ? ([...v].every((m) => /^-?(0|[1-9][0-9]{0,18})$/.test(m)) ? 'intset' : 'listpack') : 'hashtable');
    else out.bulk(v.size <= 128 ? 'listpack' : 'skiplist');
  },
  'OBJECT|FREQ'(ks, op, c, out) {
    // Access frequencies are kept only under an LFU eviction policy; there is no eviction here (objectCommand).
    if (ks.peek(c.db, arg(op, 'key')) === undefined) return out.bulk(null);
    fail('no_lfu');
  },
  'OBJECT|IDLETIME'(ks, op, c, out) {
    // Without an LFU policy Redis answers the seconds since the last access; OBJECT itself is no access.
    const idle = ks.idleSeconds(c.db, arg(op, 'key'));
    if (idle === undefined) return out.bulk(null);
    out.integer(idle);
  },
  'OBJECT|REFCOUNT'(ks, op, c, out) {
    // Values are not shared between keys: each is referenced once.
    if (ks.peek(c.db, arg(op, 'key')) === undefined) return out.bulk(null);
    out.integer(1);
  },
  'OBJECT|HELP'(_ks, _op, _c, out) {
    out.array(OBJECT_HELP.length);
    for (const line of OBJECT_HELP) out.simple(line);
  },
  DBSIZE(ks, _op, c, out) {
    out.integer(ks.size(c.db));
  },
  FLUSHDB(ks, _op, c, out) {
    ks.flushDb(c.db);
    out.simple('OK');
  },
  FLUSHALL(ks, _op, _c, out) {
    ks.flushDb(undefined);
    out.simple('OK');
  },
  SWAPDB(ks, op, _c, out) {
    const a = parseIntegerDb(op.argv[1]!);
    const b = parseIntegerDb(op.argv[2]!);
    if (a !== b) ks.swapDb(a, b);
    out.simple('OK');
  },
};

function parseIntegerDb(s: string): number {
  const n = parseInteger(s);
  if (n < 0 || n >= DATABASES) fail('db_out_of_range');
  return n;
}

/** OBJECT HELP's lines, as Redis 7.0 prints them (addReplyHelp). */
const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];
