// Sorted-set commands: ranges by rank, score and lex, stores, unions/intersections, pops (and blocking pops).
import type { KeyOp } from '../../../compiler/index.ts';
import { fail } from '../errors.ts';
import { globMatch } from '../glob.ts';
import type { Block, Handler, Keyspace } from '../keyspace.ts';
import type { ReplySink } from '../reply.ts';
import { ZSet } from '../values.ts';
import { parseRandomCount, pick } from './hashes.ts';
import { scanArgs, scanNames } from './keys.ts';
import { arg, args, formatScore, getSet, getZSet, has, optArg, parseFloatArg, parseInteger, rangeOf, readFloat } from './util.ts';

interface ScoreBound {
  readonly value: number;
  readonly exclusive: boolean;
}

function scoreBound(s: string): ScoreBound {
  const exclusive = s.startsWith('(');
  const v = readFloat(exclusive ? s.slice(1) : s);
  if (v === undefined || Number.isNaN(v)) fail('min_max_not_float');
  return { value: v, exclusive };
}

interface LexBound {
  readonly value: string;
  readonly exclusive: boolean;
  /** -1 for `-`, 1 for `+`, 0 for a member. */
  readonly inf: number;
}

function lexBound(s: string): LexBound {
  if (s === '-') return { value: '', exclusive: false, inf: -1 };
  if (s === '+') return { value: '', exclusive: false, inf: 1 };
  if (s.startsWith('(')) return { value: s.slice(1), exclusive: true, inf: 0 };
  if (s.startsWith('[')) return { value: s.slice(1), exclusive: false, inf: 0 };
  fail('min_max_not_lex');
}

function aboveMin(m: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf < 0;
  return b.exclusive ? m > b.value : m >= b.value;
}

function belowMax(m: string, b: LexBound): boolean {
  if (b.inf !== 0) return b.inf > 0;
  return b.exclusive ? m < b.value : m <= b.value;
}

function inScore(s: number, min: ScoreBound, max: ScoreBound): boolean {
  return (min.exclusive ? s > min.value : s >= min.value) && (max.exclusive ? s < max.value : s <= max.value);
}

/** Members selected by a ZRANGE-style call, in reply order. */
function select(z: ZSet | undefined, mode: 'rank' | 'score' | 'lex', rev: boolean, a: string, b: string, offset: number, count: number): string[] {
  if (mode === 'rank') {
    const start = parseInteger(a);
    const stop = parseInteger(b);
    if (!z) return [];
    const r = rangeOf(start, stop, z.size);
    if (!r) return [];
    const out: string[] = [];
    for (let i = r[0]; i <= r[1]; i++) out.push(z.order[rev ? z.size - 1 - i : i]!);
    return out;
  }
  let res: string[] = [];
  if (mode === 'score') {
    // REV takes max first.
    const min = scoreBound(rev ? b : a);
    const max = scoreBound(rev ? a : b);
    if (!z) return [];
    for (let i = z.firstAtLeast(min.value, min.exclusive); i < z.size; i++) {
      const m = z.order[i]!;
      const s = z.scores.get(m)!;
      if (!inScore(s, min, max)) {
        if (s > max.value || (max.exclusive && s === max.value)) break;
        continue;
      }
      res.push(m);
    }
  } else {
    const min = lexBound(rev ? b : a);
    const max = lexBound(rev ? a : b);
    if (!z) return [];
    const from = min.inf < 0 ? 0 : min.inf > 0 ? z.size : z.firstLexAtLeast(min.value, min.exclusive);
    for (let i = from; i < z.size; i++) {
      const m = z.order[i]!;
      if (!aboveMin(m, min)) continue;
      if (!belowMax(m, max)) break;
      res.push(m);
    }
  }
  if (rev) res.reverse();
  if (offset > 0 || count >= 0) {
    if (offset < 0) return [];
    res = res.slice(offset, count < 0 ? undefined : offset + count);
  }
  return res;
}

function reply(out: ReplySink, z: ZSet | undefined, members: readonly string[], withScores: boolean): void {
  if (!withScores) {
    out.array(members.length);
    for (const m of members) out.bulk(m);
    return;
  }
  if (out.protocol === 3) {
    out.array(members.length);
    for (const m of members) (out.array(2), out.bulk(m), out.double(z!.scores.get(m)!));
    return;
  }
  out.array(members.length * 2);
  for (const m of members) (out.bulk(m), out.double(z!.scores.get(m)!));
}

function zsetFor(ks: Keyspace, db: number, key: string): ZSet {
  let z = getZSet(ks, db, key);
  if (!z) {
    z = new ZSet();
    ks.put(db, key, z);
  }
  return z;
}

function limitOf(op: KeyOp): [number, number] {
  if (!has(op, 'LIMIT')) return [0, -1];
  return [parseInteger(arg(op, 'offset')), parseInteger(arg(op, 'count'))];
}

function zrange(op: KeyOp, ks: Keyspace, db: number, key: string, a: string, b: string): { z: ZSet | undefined; members: string[] } {
  const mode = has(op, 'BYSCORE') ? 'score' : has(op, 'BYLEX') ? 'lex' : 'rank';
  if (has(op, 'LIMIT') && mode === 'rank') fail('limit_needs_by');
  if (has(op, 'WITHSCORES') && mode === 'lex') fail('withscores_byscore');
  const [offset, count] = limitOf(op);
  const z = getZSet(ks, db, key);
  return { z, members: select(z, mode, has(op, 'REV'), a, b, offset, count) };
}

function legacyRange(mode: 'score' | 'lex', rev: boolean): Handler {
  return (ks, op, c, out) => {
    const [offset, count] = limitOf(op);
    const z = getZSet(ks, c.db, op.argv[1]!);
    const members = select(z, mode, rev, op.argv[2]!, op.argv[3]!, offset, count);
    reply(out, z, members, has(op, 'WITHSCORES'));
  };
}

function popMinMax(ks: Keyspace, db: number, key: string, max: boolean, count: number): [string, number][] {
  const z = getZSet(ks, db, key);
  if (!z) return [];
  const res: [string, number][] = [];
  for (let i = 0; i < count && z.size > 0; i++) {
    const m = max ? z.order[z.size - 1]! : z.order[0]!;
    res.push([m, z.scores.get(m)!]);
    z.remove(m);
  }
  if (z.size === 0) ks.delete(db, key);
  else ks.modified(db, key);
  return res;
}

function pop(max: boolean): Handler {
  return (ks, op, c, out) => {
    const raw = optArg(op, 'count');
    const count = raw === undefined ? 1 : parseInteger(raw);
    if (count < 0) fail('must_be_positive');
    const res = popMinMax(ks, c.db, op.argv[1]!, max, count);
    if (out.protocol === 3 && raw !== undefined) {
      out.array(res.length);
      for (const [m, s] of res) (out.array(2), out.bulk(m), out.double(s));
      return;
    }
    out.array(res.length * 2);
    for (const [m, s] of res) (out.bulk(m), out.double(s));
  };
}

function blockingPop(max: boolean): Handler {
  return (ks, op, c, out): void | Block => {
    const keys = args(op, 'key');
    const raw = arg(op, 'timeout');
    const t = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(t)) fail('timeout_not_float');
    if (t < 0) fail('timeout_negative');
    const db = c.db;
    const attempt = (o: ReplySink): boolean => {
      for (const key of keys) {
        if (!getZSet(ks, db, key)) continue;
        const [[m, s]] = popMinMax(ks, db, key, max, 1) as [[string, number]];
        o.array(3);
        o.bulk(key);
        o.bulk(m);
        o.double(s);
        return true;
      }
      return false;
    };
    if (attempt(out)) return;
    return { kind: 'block', keys, deadline: t === 0 ? 0 : Date.now() + t * 1000, retry: attempt, timeout: (o) => o.nullArray() };
  };
}

/** Reads the inputs of ZUNION/ZINTER/ZDIFF(STORE): sorted sets, or plain sets with score 1. */
function inputs(ks: Keyspace, db: number, keys: readonly string[]): (Map<string, number> | undefined)[] {
  return keys.map((k) => {
    const v = ks.get(db, k);
    if (v === undefined) return undefined;
    if (v instanceof ZSet) return v.scores;
    const s = getSet(ks, db, k)!;
    return new Map([...s].map((m) => [m, 1] as [string, number]));
  });
}

function combine(op: KeyOp, ks: Keyspace, db: number, kind: 'union' | 'inter' | 'diff'): ZSet {
  const keys = args(op, 'key');
  const ins = inputs(ks, db, keys);
  const weights = args(op, 'weight').map((w) => {
    const v = readFloat(w);
    if (v === undefined || Number.isNaN(v)) fail('weights_not_float');
    return v;
  });
  if (weights.length > 0 && weights.length !== keys.length) fail('syntax');
  const agg = op.choices[0] ?? 'SUM';
  const acc = new Map<string, number>();
  const apply = (a: number | undefined, b: number): number => {
    if (a === undefined) return b;
    if (agg === 'MIN') return Math.min(a, b);
    if (agg === 'MAX') return Math.max(a, b);
    const s = a + b;
    return Number.isNaN(s) ? 0 : s;
  };
  if (kind === 'diff') {
    for (const [m, s] of ins[0] ?? []) if (!ins.slice(1).some((x) => x?.has(m))) acc.set(m, s);
  } else if (kind === 'union') {
    ins.forEach((x, i) => {
      if (x) for (const [m, s] of x) acc.set(m, apply(acc.get(m), s * (weights[i] ?? 1)));
    });
  } else if (ins.every((x) => x)) {
    for (const [m, s] of ins[0]!) {
      if (!ins.every((x) => x!.has(m))) continue;
      let v = s * (weights[0] ?? 1);
      for (let i = 1; i < ins.length; i++) v = apply(v, ins[i]!.get(m)! * (weights[i] ?? 1));
      acc.set(m, v);
    }
  }
  const z = new ZSet();
  for (const [m, s] of acc) z.add(m, Number.isNaN(s) ? 0 : s);
  return z;
}

function combineCommand(kind: 'union' | 'inter' | 'diff', storing: boolean): Handler {
  return (ks, op, c, out) => {
    const z = combine(op, ks, c.db, kind);
    if (storing) {
      const dest = arg(op, 'destination');
      if (z.size === 0) ks.delete(c.db, dest);
      else ks.put(c.db, dest, z, false);
      return out.integer(z.size);
    }
    reply(out, z, z.order, has(op, 'WITHSCORES'));
  };
}

function removeRange(ks: Keyspace, db: number, key: string, members: readonly string[], z: ZSet | undefined): number {
  if (!z) return 0;
  for (const m of members) z.remove(m);
  if (members.length > 0) {
    if (z.size === 0) ks.delete(db, key);
    else ks.modified(db, key);
  }
  return members.length;
}

export const zsetCommands: Record<string, Handler> = {
  ZADD(ks, op, c, out) {
    const nx = has(op, 'NX');
    const xx = has(op, 'XX');
    const gt = has(op, 'GT');
    const lt = has(op, 'LT');
    const incr = has(op, 'INCR');
    if (nx && xx) fail('zadd_nx_xx');
    if ((gt && lt) || (nx && (gt || lt))) fail('zadd_gt_lt_nx');
    // Without options the pairs are argv[2…] (the common call): read in place, no arrays built.
    const plain = !(nx || xx || gt || lt || incr || has(op, 'CH'));
    const scores = plain ? pairScores(op.argv) : args(op, 'score').map(parseScore);
    const members = plain ? undefined : args(op, 'member');
    if (incr && members!.length > 1) fail('zadd_incr_pair');
    const key = op.argv[1]!;
    const existing = getZSet(ks, c.db, key);
    if (!existing && xx) return incr ? out.bulk(null) : out.integer(0);
    const z = existing ?? zsetFor(ks, c.db, key);
    let added = 0;
    let changed = 0;
    let result: number | undefined;
    const count = scores.length;
    for (let i = 0; i < count; i++) {
      const m = members ? members[i]! : op.argv[3 + 2 * i]!;
      const cur = z.scores.get(m);
      if ((nx && cur !== undefined) || (xx && cur === undefined)) continue;
      let next = scores[i]!;
      if (incr) {
        next = (cur ?? 0) + next;
        if (Number.isNaN(next)) fail('nan');
      }
      if (cur !== undefined && ((gt && next <= cur) || (lt && next >= cur))) continue;
      if (z.add(m, next)) added++;
      else if (cur !== next) changed++;
      result = next;
    }
    if (z.size === 0) ks.delete(c.db, key);
    // As Redis: a call that added nothing and changed no score writes nothing and leaves WATCH untouched.
    else if (added + changed > 0) ks.modified(c.db, key);
    if (incr) return result === undefined ? out.bulk(null) : out.double(result);
    out.integer(has(op, 'CH') ? added + changed : added);
  },
  ZINCRBY(ks, op, c, out) {
    const by = parseScore(op.argv[2]!);
    const key = op.argv[1]!;
    const z = zsetFor(ks, c.db, key);
    const next = (z.scores.get(op.argv[3]!) ?? 0) + by;
    if (Number.isNaN(next)) fail('nan');
    z.add(op.argv[3]!, next);
    ks.modified(c.db, key);
    out.double(next);
  },
  ZREM(ks, op, c, out) {
    const key = op.argv[1]!;
    const z = getZSet(ks, c.db, key);
    let n = 0;
    if (z) for (let i = 2; i < op.argv.length; i++) if (z.remove(op.argv[i]!)) n++;
    if (z && n > 0) {
      if (z.size === 0) ks.delete(c.db, key);
      else ks.modified(c.db, key);
    }
    out.integer(n);
  },
  ZSCORE(ks, op, c, out) {
    const s = getZSet(ks, c.db, op.argv[1]!)?.scores.get(op.argv[2]!);
    if (s === undefined) out.bulk(null);
    else out.double(s);
  },
  ZMSCORE(ks, op, c, out) {
    const z = getZSet(ks, c.db, op.argv[1]!);
    out.array(op.argv.length - 2);
    for (let i = 2; i < op.argv.length; i++) {
      const s = z?.scores.get(op.argv[i]!);
      if (s === undefined) out.bulk(null);
      else out.double(s);
    }
  },
  ZCARD(ks, op, c, out) {
    out.integer(getZSet(ks, c.db, op.argv[1]!)?.size ?? 0);
  },
  ZCOUNT(ks, op, c, out) {
    out.integer(select(getZSet(ks, c.db, op.argv[1]!), 'score', false, op.argv[2]!, op.argv[3]!, 0, -1).length);
  },
  ZLEXCOUNT(ks, op, c, out) {
    out.integer(select(getZSet(ks, c.db, op.argv[1]!), 'lex', false, op.argv[2]!, op.argv[3]!, 0, -1).length);
  },
  ZRANGE(ks, op, c, out) {
    const { z, members } = zrange(op, ks, c.db, op.argv[1]!, arg(op, 'start'), arg(op, 'stop'));
    reply(out, z, members, has(op, 'WITHSCORES'));
  },
  ZRANGESTORE(ks, op, c, out) {
    const { z, members } = zrange(op, ks, c.db, arg(op, 'src'), arg(op, 'min'), arg(op, 'max'));
    const dst = arg(op, 'dst');
    const res = new ZSet();
    for (const m of members) res.add(m, z!.scores.get(m)!);
    if (res.size === 0) ks.delete(c.db, dst);
    else ks.put(c.db, dst, res, false);
    out.integer(res.size);
  },
  ZRANGEBYSCORE: legacyRange('score', false),
  ZREVRANGEBYSCORE: legacyRange('score', true),
  ZRANGEBYLEX: legacyRange('lex', false),
  ZREVRANGEBYLEX: legacyRange('lex', true),
  ZREVRANGE(ks, op, c, out) {
    const z = getZSet(ks, c.db, op.argv[1]!);
    reply(out, z, select(z, 'rank', true, op.argv[2]!, op.argv[3]!, 0, -1), has(op, 'WITHSCORES'));
  },
  ZRANK: rank(false),
  ZREVRANK: rank(true),
  ZPOPMIN: pop(false),
  ZPOPMAX: pop(true),
  BZPOPMIN: blockingPop(false),
  BZPOPMAX: blockingPop(true),
  ZREMRANGEBYRANK(ks, op, c, out) {
    const z = getZSet(ks, c.db, op.argv[1]!);
    out.integer(removeRange(ks, c.db, op.argv[1]!, select(z, 'rank', false, op.argv[2]!, op.argv[3]!, 0, -1), z));
  },
  ZREMRANGEBYSCORE(ks, op, c, out) {
    const z = getZSet(ks, c.db, op.argv[1]!);
    out.integer(removeRange(ks, c.db, op.argv[1]!, select(z, 'score', false, op.argv[2]!, op.argv[3]!, 0, -1), z));
  },
  ZREMRANGEBYLEX(ks, op, c, out) {
    const z = getZSet(ks, c.db, op.argv[1]!);
    out.integer(removeRange(ks, c.db, op.argv[1]!, select(z, 'lex', false, op.argv[2]!, op.argv[3]!, 0, -1), z));
  },
  ZUNIONSTORE: combineCommand('union', true),
  ZINTERSTORE: combineCommand('inter', true),
  ZDIFFSTORE: combineCommand('diff', true),
  ZUNION: combineCommand('union', false),
  ZINTER: combineCommand('inter', false),
  ZDIFF: combineCommand('diff', false),
  ZRANDMEMBER(ks, op, c, out) {
    const z = getZSet(ks, c.db, op.argv[1]!);
    const raw = optArg(op, 'count');
    if (raw === undefined) return out.bulk(z ? pick(z.order, 1)[0]! : null);
    const picked = pick(z ? z.order : [], parseRandomCount(raw));
    reply(out, z, picked, has(op, 'WITHSCORES'));
  },
  ZSCAN(ks, op, c, out) {
    const { cursor, count, match } = scanArgs(op);
    const z = getZSet(ks, c.db, op.argv[1]!);
    const { next, hits } = scanNames(z ? z.order : [], cursor, count, (m) => match === undefined || globMatch(match, m));
    out.array(2);
    out.bulk(String(next));
    out.array(hits.length * 2);
    for (const m of hits) (out.bulk(m), out.bulk(formatScore(z!.scores.get(m)!)));
  },
};

function parseScore(s: string): number {
  return parseFloatArg(s);
}

/** The scores of `ZADD key score member [score member ...]` given without options, all checked before any is applied. */
function pairScores(argv: readonly string[]): number[] {
  const scores = new Array<number>((argv.length - 2) >> 1);
  for (let i = 0; i < scores.length; i++) scores[i] = parseScore(argv[2 + 2 * i]!);
  return scores;
}

function rank(rev: boolean): Handler {
  return (ks, op, c, out) => {
    const z = getZSet(ks, c.db, op.argv[1]!);
    const r = z?.rank(op.argv[2]!);
    const withScore = has(op, 'WITHSCORE');
    if (r === undefined) return withScore ? out.nullArray() : out.bulk(null);
    const pos = rev ? z!.size - 1 - r : r;
    if (!withScore) return out.integer(pos);
    out.array(2);
    out.integer(pos);
    out.double(z!.scores.get(op.argv[2]!)!);
  };
}
