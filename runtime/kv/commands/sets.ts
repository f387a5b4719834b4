// Set commands.
import { fail } from '../errors.ts';
import { globMatch } from '../glob.ts';
import type { Handler, Keyspace } from '../keyspace.ts';
import { arg, args, getSet, optArg, parseInteger } from './util.ts';
import { parseRandomCount, pick } from './hashes.ts';
import { scanArgs, scanNames } from './keys.ts';
import { MemberSet } from '../values.ts';

function inter(sets: readonly (Set<string> | undefined)[]): MemberSet {
  if (sets.some((s) => !s)) return new MemberSet();
  const sorted = [...(sets as Set<string>[])].sort((a, b) => a.size - b.size);
  const res = new MemberSet();
  for (const m of sorted[0]!) if (sorted.every((s) => s.has(m))) res.add(m);
  return res;
}

function union(sets: readonly (Set<string> | undefined)[]): MemberSet {
  const res = new MemberSet();
  for (const s of sets) if (s) for (const m of s) res.add(m);
  return res;
}

function diff(sets: readonly (Set<string> | undefined)[]): MemberSet {
  const res = new MemberSet(sets[0] ?? []);
  for (let i = 1; i < sets.length; i++) if (sets[i]) for (const m of sets[i]!) res.delete(m);
  return res;
}

function store(ks: Keyspace, db: number, dest: string, s: MemberSet): number {
  if (s.size === 0) ks.delete(db, dest);
  else ks.put(db, dest, s, false);
  return s.size;
}

function algebra(op: (sets: readonly (Set<string> | undefined)[]) => MemberSet, storing: boolean): Handler {
  return (ks, k, c, out) => {
    const keys = args(k, 'key');
    const res = op(keys.map((key) => getSet(ks, c.db, key)));
    if (storing) return out.integer(store(ks, c.db, arg(k, 'destination'), res));
    out.set(res.size);
    for (const m of res) out.bulk(m);
  };
}

export const setCommands: Record<string, Handler> = {
  SADD(ks, op, c, out) {
    const key = op.argv[1]!;
    let s = getSet(ks, c.db, key);
    if (!s) {
      s = new MemberSet();
      ks.put(c.db, key, s);
    }
    let n = 0;
    for (let i = 2; i < op.argv.length; i++) {
      if (!s.has(op.argv[i]!)) {
        s.add(op.argv[i]!);
        n++;
      }
    }
    // As Redis: adding only members already there changes nothing (no write, WATCH untouched).
    if (n > 0) ks.modified(c.db, key);
    out.integer(n);
  },
  SREM(ks, op, c, out) {
    const key = op.argv[1]!;
    const s = getSet(ks, c.db, key);
    let n = 0;
    if (s) {
      for (let i = 2; i < op.argv.length; i++) if (s.delete(op.argv[i]!)) n++;
      if (s.size === 0) ks.delete(c.db, key);
      else if (n > 0) ks.modified(c.db, key);
    }
    out.integer(n);
  },
  SMEMBERS(ks, op, c, out) {
    const s = getSet(ks, c.db, op.argv[1]!);
    out.set(s?.size ?? 0);
    if (s) for (const m of s) out.bulk(m);
  },
  SISMEMBER(ks, op, c, out) {
    out.integer(getSet(ks, c.db, op.argv[1]!)?.has(op.argv[2]!) ? 1 : 0);
  },
  SMISMEMBER(ks, op, c, out) {
    const s = getSet(ks, c.db, op.argv[1]!);
    out.array(op.argv.length - 2);
    for (let i = 2; i < op.argv.length; i++) out.integer(s?.has(op.argv[i]!) ? 1 : 0);
  },
  SCARD(ks, op, c, out) {
    out.integer(getSet(ks, c.db, op.argv[1]!)?.size ?? 0);
  },
  SPOP(ks, op, c, out) {
    const key = op.argv[1]!;
    const raw = optArg(op, 'count');
    const count = raw === undefined ? undefined : parseInteger(raw);
    if (count !== undefined && count < 0) fail('must_be_positive');
    const s = getSet(ks, c.db, key);
    if (!s) return count === undefined ? out.bulk(null) : out.set(0);
    const picked = pick([...s], count ?? 1);
    for (const m of picked) s.delete(m);
    if (s.size === 0) ks.delete(c.db, key);
    else ks.modified(c.db, key);
    if (count === undefined) return out.bulk(picked[0] ?? null);
    out.set(picked.length);
    for (const m of picked) out.bulk(m);
  },
  SRANDMEMBER(ks, op, c, out) {
    const s = getSet(ks, c.db, op.argv[1]!);
    const raw = optArg(op, 'count');
    if (raw === undefined) {
      if (!s) return out.bulk(null);
      return out.bulk(pick([...s], 1)[0]!);
    }
    const picked = pick(s ? [...s] : [], parseRandomCount(raw));
    out.array(picked.length);
    for (const m of picked) out.bulk(m);
  },
  SMOVE(ks, op, c, out) {
    const [, src, dst, m] = op.argv as [string, string, string, string];
    const from = getSet(ks, c.db, src);
    const to = getSet(ks, c.db, dst);
    if (!from || !from.has(m)) return out.integer(0);
    if (src === dst) return out.integer(1);
    from.delete(m);
    if (from.size === 0) ks.delete(c.db, src);
    else ks.modified(c.db, src);
    if (to) {
      to.add(m);
      ks.modified(c.db, dst);
    } else ks.put(c.db, dst, new MemberSet([m]));
    out.integer(1);
  },
  SINTER: algebra(inter, false),
  SUNION: algebra(union, false),
  SDIFF: algebra(diff, false),
  SINTERSTORE: algebra(inter, true),
  SUNIONSTORE: algebra(union, true),
  SDIFFSTORE: algebra(diff, true),
  SINTERCARD(ks, op, c, out) {
    const raw = optArg(op, 'limit');
    const limit = raw === undefined ? 0 : parseInteger(raw);
    if (limit < 0) out.error("ERR LIMIT can't be negative");
    else {
      const n = inter(args(op, 'key').map((k) => getSet(ks, c.db, k))).size;
      out.integer(limit > 0 ? Math.min(limit, n) : n);
    }
  },
  SSCAN(ks, op, c, out) {
    const { cursor, count, match } = scanArgs(op);
    const s = getSet(ks, c.db, op.argv[1]!);
    const { next, hits } = scanNames(s ? [...s] : [], cursor, count, (m) => match === undefined || globMatch(match, m));
    out.array(2);
    out.bulk(String(next));
    out.array(hits.length);
    for (const m of hits) out.bulk(m);
  },
};
