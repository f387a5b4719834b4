// Hash commands.
import { fail } from '../errors.ts';
import type { Handler } from '../keyspace.ts';
import { arg, dropIfEmpty, formatFloatSum, getHash, has, isIntegerText, optArg, parseBig, parseFloatArg, parseInteger, inInt64 } from './util.ts';
import { globMatch } from '../glob.ts';
import { scanArgs, scanNames } from './keys.ts';
import { Hash } from '../values.ts';

function hashFor(ks: Parameters<Handler>[0], db: number, key: string): Hash {
  let h = getHash(ks, db, key);
  if (!h) {
    h = new Hash();
    ks.put(db, key, h);
  }
  return h;
}

export const hashCommands: Record<string, Handler> = {
  HSET(ks, op, c, out) {
    const key = op.argv[1]!;
    const h = hashFor(ks, c.db, key);
    // One lookup per field: the size grows when it was new.
    const before = h.size;
    for (let i = 2; i < op.argv.length; i += 2) h.set(op.argv[i]!, op.argv[i + 1]!);
    ks.modified(c.db, key);
    out.integer(h.size - before);
  },
  HMSET(ks, op, c, out) {
    const key = op.argv[1]!;
    const h = hashFor(ks, c.db, key);
    for (let i = 2; i < op.argv.length; i += 2) h.set(op.argv[i]!, op.argv[i + 1]!);
    ks.modified(c.db, key);
    out.simple('OK');
  },
  HSETNX(ks, op, c, out) {
    const key = op.argv[1]!;
    const h = getHash(ks, c.db, key);
    if (h?.has(op.argv[2]!)) return out.integer(0);
    hashFor(ks, c.db, key).set(op.argv[2]!, op.argv[3]!);
    ks.modified(c.db, key);
    out.integer(1);
  },
  HGET(ks, op, c, out) {
    out.bulk(getHash(ks, c.db, op.argv[1]!)?.get(op.argv[2]!) ?? null);
  },
  HMGET(ks, op, c, out) {
    const h = getHash(ks, c.db, op.argv[1]!);
    out.array(op.argv.length - 2);
    for (let i = 2; i < op.argv.length; i++) out.bulk(h?.get(op.argv[i]!) ?? null);
  },
  HGETALL(ks, op, c, out) {
    const h = getHash(ks, c.db, op.argv[1]!);
    out.map(h?.size ?? 0);
    if (h) for (const [f, v] of h) (out.bulk(f), out.bulk(v));
  },
  HDEL(ks, op, c, out) {
    const key = op.argv[1]!;
    const h = getHash(ks, c.db, key);
    let n = 0;
    if (h) {
      for (let i = 2; i < op.argv.length; i++) if (h.delete(op.argv[i]!)) n++;
      if (n > 0) dropIfEmpty(ks, c.db, key, h);
    }
    out.integer(n);
  },
  HEXISTS(ks, op, c, out) {
    out.integer(getHash(ks, c.db, op.argv[1]!)?.has(op.argv[2]!) ? 1 : 0);
  },
  HLEN(ks, op, c, out) {
    out.integer(getHash(ks, c.db, op.argv[1]!)?.size ?? 0);
  },
  HKEYS(ks, op, c, out) {
    const h = getHash(ks, c.db, op.argv[1]!);
    out.array(h?.size ?? 0);
    if (h) for (const f of h.keys()) out.bulk(f);
  },
  HVALS(ks, op, c, out) {
    const h = getHash(ks, c.db, op.argv[1]!);
    out.array(h?.size ?? 0);
    if (h) for (const v of h.values()) out.bulk(v);
  },
  HSTRLEN(ks, op, c, out) {
    out.integer(getHash(ks, c.db, op.argv[1]!)?.get(op.argv[2]!)?.length ?? 0);
  },
  HINCRBY(ks, op, c, out) {
    const by = parseBig(arg(op, 'increment'));
    const key = op.argv[1]!;
    const cur = getHash(ks, c.db, key)?.get(op.argv[2]!);
    let base = 0n;
    if (cur !== undefined) {
      if (!isIntegerText(cur)) fail('hash_not_integer');
      base = BigInt(cur);
    }
    const next = base + by;
    if (!inInt64(next)) fail('overflow');
    hashFor(ks, c.db, key).set(op.argv[2]!, String(next));
    ks.modified(c.db, key);
    out.integer(next);
  },
  HINCRBYFLOAT(ks, op, c, out) {
    const by = parseFloatArg(arg(op, 'increment'));
    // Checked before the field is read (hincrbyfloatCommand).
    if (!Number.isFinite(by)) fail('increment_not_finite');
    const key = op.argv[1]!;
    const cur = getHash(ks, c.db, key)?.get(op.argv[2]!);
    let base = 0;
    if (cur !== undefined) {
      base = Number(cur);
      if (cur.trim() === '' || Number.isNaN(base)) fail('hash_not_float');
    }
    const next = base + by;
    if (!Number.isFinite(next)) fail('nan');
    const text = formatFloatSum(cur ?? '0', arg(op, 'increment'), next);
    hashFor(ks, c.db, key).set(op.argv[2]!, text);
    ks.modified(c.db, key);
    out.bulk(text);
  },
  HSCAN(ks, op, c, out) {
    const { cursor, count, match } = scanArgs(op);
    const h = getHash(ks, c.db, op.argv[1]!);
    const { next, hits } = scanNames(h ? [...h.keys()] : [], cursor, count, (f) => match === undefined || globMatch(match, f));
    out.array(2);
    out.bulk(String(next));
    out.array(hits.length * 2);
    for (const f of hits) (out.bulk(f), out.bulk(h!.get(f)!));
  },
  HRANDFIELD(ks, op, c, out) {
    const h = getHash(ks, c.db, op.argv[1]!);
    const rawCount = optArg(op, 'count');
    if (rawCount === undefined) {
      if (!h) return out.bulk(null);
      const fields = [...h.keys()];
      return out.bulk(fields[Math.floor(Math.random() * fields.length)]!);
    }
    const count = parseRandomCount(rawCount);
    const withValues = has(op, 'WITHVALUES');
    const picked = pick(h ? [...h.keys()] : [], count);
    if (withValues) {
      // RESP3 nests each field with its value; RESP2 flattens the pairs (HRANDFIELD reply spec).
      if (out.protocol === 3) {
        out.array(picked.length);
        for (const f of picked) (out.array(2), out.bulk(f), out.bulk(h!.get(f)!));
        return;
      }
      out.array(picked.length * 2);
      for (const f of picked) (out.bulk(f), out.bulk(h!.get(f)!));
      return;
    }
    out.array(picked.length);
    for (const f of picked) out.bulk(f);
  },
};

/** Redis's random pick: a positive count gives distinct members, a negative one allows repeats. */
/**
 * The count of HRANDFIELD, SRANDMEMBER and ZRANDMEMBER: Redis's range (-LLONG_MAX … LLONG_MAX), and
 * a negative count (picks may repeat) of at most MAX_REPEATED_PICKS, since each pick is a reply element.
 */
export function parseRandomCount(s: string): number {
  const n = parseInteger(s);
  if (s === '-9223372036854775808') fail('long_range');
  if (n < -MAX_REPEATED_PICKS) fail('out_of_range');
  return n;
}

/** Most elements a negative random count may ask for (a bigger reply would exhaust memory). */
const MAX_REPEATED_PICKS = 16 * 1024 * 1024;

export function pick<T>(all: readonly T[], count: number): T[] {
  if (all.length === 0) return [];
  if (count < 0) return Array.from({ length: -count }, () => all[Math.floor(Math.random() * all.length)]!);
  const copy = [...all];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}
