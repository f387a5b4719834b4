// List commands, including the blocking pops and moves (BLPOP, BRPOP, BLMOVE, BLMPOP).
import type { KeyOp } from '../../../compiler/index.ts';
import { fail } from '../errors.ts';
import type { Block, Handler, Keyspace } from '../keyspace.ts';
import type { ReplySink } from '../reply.ts';
import { Deque } from '../values.ts';
import { arg, args, getList, optArg, parseInteger, rangeOf } from './util.ts';

/** Pushes values[from…] onto the list at key (created unless `onlyExisting`); its new length. */
function push(ks: Keyspace, db: number, key: string, values: readonly string[], from: number, left: boolean, onlyExisting: boolean): number {
  let l = getList(ks, db, key);
  if (!l) {
    if (onlyExisting) return 0;
    l = new Deque();
    ks.put(db, key, l);
  }
  for (let i = from; i < values.length; i++) {
    if (left) l.pushFront(values[i]!);
    else l.pushBack(values[i]!);
  }
  ks.modified(db, key);
  return l.length;
}

function popOne(ks: Keyspace, db: number, key: string, l: Deque, left: boolean): string {
  const v = (left ? l.popFront() : l.popBack())!;
  if (l.length === 0) ks.delete(db, key);
  else ks.modified(db, key);
  return v;
}

function pop(left: boolean): Handler {
  return (ks, op, c, out) => {
    const key = op.argv[1]!;
    // `LPOP key [count]`: the count, when given, is the argument after the key.
    const raw = op.argv[2];
    const count = raw === undefined ? undefined : parseInteger(raw);
    if (count !== undefined && count < 0) fail('must_be_positive');
    const l = getList(ks, c.db, key);
    if (!l) return count === undefined ? out.bulk(null) : out.nullArray();
    if (count === undefined) return out.bulk(popOne(ks, c.db, key, l, left));
    const n = Math.min(count, l.length);
    out.array(n);
    for (let i = 0; i < n; i++) out.bulk((left ? l.popFront() : l.popBack())!);
    if (l.length === 0) ks.delete(c.db, key);
    else ks.modified(c.db, key);
  };
}

/** LMOVE's core: returns the moved element or undefined when the source is empty. */
function move(ks: Keyspace, db: number, src: string, dst: string, fromLeft: boolean, toLeft: boolean): string | undefined {
  const l = getList(ks, db, src);
  if (!l) return undefined;
  getList(ks, db, dst);
  const v = popOne(ks, db, src, l, fromLeft);
  push(ks, db, dst, [v], 0, toLeft, false);
  return v;
}

/** A blocking command's timeout in ms from its seconds argument (0 = forever). */
function deadlineOf(raw: string): number {
  const t = Number(raw);
  if (raw.trim() === '' || Number.isNaN(t) || !Number.isFinite(t)) fail('timeout_not_float');
  if (t < 0) fail('timeout_negative');
  return t === 0 ? 0 : Date.now() + t * 1000;
}

/** Pops from the first non-empty list among keys; writes [key, element]. */
function popFirst(ks: Keyspace, db: number, keys: readonly string[], left: boolean, out: ReplySink): boolean {
  for (const key of keys) {
    const l = getList(ks, db, key);
    if (!l) continue;
    const v = popOne(ks, db, key, l, left);
    out.array(2);
    out.bulk(key);
    out.bulk(v);
    return true;
  }
  return false;
}

/** LMPOP's core: [key, [elements]] from the first non-empty list. */
function mpop(ks: Keyspace, db: number, op: KeyOp, out: ReplySink): boolean {
  const left = op.choices[0] === 'LEFT';
  const raw = optArg(op, 'count');
  const count = raw === undefined ? 1 : parseInteger(raw);
  if (count <= 0) fail('must_be_positive');
  for (const key of args(op, 'key')) {
    const l = getList(ks, db, key);
    if (!l) continue;
    const n = Math.min(count, l.length);
    out.array(2);
    out.bulk(key);
    out.array(n);
    for (let i = 0; i < n; i++) out.bulk((left ? l.popFront() : l.popBack())!);
    if (l.length === 0) ks.delete(db, key);
    else ks.modified(db, key);
    return true;
  }
  return false;
}

function blockingPop(left: boolean): Handler {
  return (ks, op, c, out): void | Block => {
    const keys = args(op, 'key');
    const deadline = deadlineOf(arg(op, 'timeout'));
    if (popFirst(ks, c.db, keys, left, out)) return;
    const db = c.db;
    return { kind: 'block', keys, deadline, retry: (o) => popFirst(ks, db, keys, left, o), timeout: (o) => o.nullArray() };
  };
}

export const listCommands: Record<string, Handler> = {
  LPUSH: (ks, op, c, out) => out.integer(push(ks, c.db, op.argv[1]!, op.argv, 2, true, false)),
  RPUSH: (ks, op, c, out) => out.integer(push(ks, c.db, op.argv[1]!, op.argv, 2, false, false)),
  LPUSHX: (ks, op, c, out) => out.integer(push(ks, c.db, op.argv[1]!, op.argv, 2, true, true)),
  RPUSHX: (ks, op, c, out) => out.integer(push(ks, c.db, op.argv[1]!, op.argv, 2, false, true)),
  LPOP: pop(true),
  RPOP: pop(false),
  LLEN(ks, op, c, out) {
    out.integer(getList(ks, c.db, op.argv[1]!)?.length ?? 0);
  },
  LRANGE(ks, op, c, out) {
    const start = parseInteger(op.argv[2]!);
    const stop = parseInteger(op.argv[3]!);
    const l = getList(ks, c.db, op.argv[1]!);
    const r = l && rangeOf(start, stop, l.length);
    if (!r) return out.array(0);
    out.array(r[1] - r[0] + 1);
    for (let i = r[0]; i <= r[1]; i++) out.bulk(l!.at(i));
  },
  LINDEX(ks, op, c, out) {
    let i = parseInteger(op.argv[2]!);
    const l = getList(ks, c.db, op.argv[1]!);
    if (!l) return out.bulk(null);
    if (i < 0) i += l.length;
    out.bulk(i >= 0 && i < l.length ? l.at(i) : null);
  },
  LSET(ks, op, c, out) {
    let i = parseInteger(op.argv[2]!);
    const l = getList(ks, c.db, op.argv[1]!);
    if (!l) fail('no_such_key');
    if (i < 0) i += l.length;
    if (i < 0 || i >= l.length) fail('index_out_of_range');
    l.setAt(i, op.argv[3]!);
    ks.modified(c.db, op.argv[1]!);
    out.simple('OK');
  },
  LINSERT(ks, op, c, out) {
    const key = op.argv[1]!;
    const l = getList(ks, c.db, key);
    if (!l) return out.integer(0);
    const items = l.slice(0, l.length);
    const at = items.indexOf(arg(op, 'pivot'));
    if (at < 0) return out.integer(-1);
    items.splice(op.choices[0] === 'BEFORE' ? at : at + 1, 0, arg(op, 'element'));
    l.replace(items);
    ks.modified(c.db, key);
    out.integer(l.length);
  },
  LREM(ks, op, c, out) {
    const key = op.argv[1]!;
    const count = parseInteger(op.argv[2]!);
    const el = op.argv[3]!;
    const l = getList(ks, c.db, key);
    if (!l) return out.integer(0);
    const items = l.slice(0, l.length);
    let removed = 0;
    const limit = count === 0 ? Infinity : Math.abs(count);
    if (count >= 0) {
      for (let i = 0; i < items.length && removed < limit; i++) if (items[i] === el) (items.splice(i, 1), i--, removed++);
    } else {
      for (let i = items.length - 1; i >= 0 && removed < limit; i--) if (items[i] === el) (items.splice(i, 1), removed++);
    }
    if (removed > 0) {
      l.replace(items);
      if (l.length === 0) ks.delete(c.db, key);
      else ks.modified(c.db, key);
    }
    out.integer(removed);
  },
  LTRIM(ks, op, c, out) {
    const key = op.argv[1]!;
    const start = parseInteger(op.argv[2]!);
    const stop = parseInteger(op.argv[3]!);
    const l = getList(ks, c.db, key);
    if (l) {
      const r = rangeOf(start, stop, l.length);
      if (!r) ks.delete(c.db, key);
      else {
        l.replace(l.slice(r[0], r[1] + 1));
        ks.modified(c.db, key);
      }
    }
    out.simple('OK');
  },
  LPOS(ks, op, c, out) {
    const el = arg(op, 'element');
    const rank = optArg(op, 'rank') === undefined ? 1 : parseInteger(optArg(op, 'rank')!);
    if (rank === 0) fail('rank_zero');
    const rawCount = optArg(op, 'num-matches');
    const count = rawCount === undefined ? undefined : parseInteger(rawCount);
    if (count !== undefined && count < 0) fail('count_negative');
    const maxlen = optArg(op, 'len') === undefined ? 0 : parseInteger(optArg(op, 'len')!);
    if (maxlen < 0) fail('maxlen_negative');
    const l = getList(ks, c.db, op.argv[1]!);
    const hits: number[] = [];
    if (l) {
      const want = count === undefined ? 1 : count === 0 ? Infinity : count;
      let skip = Math.abs(rank) - 1;
      const n = l.length;
      for (let step = 0; step < n && hits.length < want && (maxlen === 0 || step < maxlen); step++) {
        const i = rank > 0 ? step : n - 1 - step;
        if (l.at(i) !== el) continue;
        if (skip > 0) skip--;
        else hits.push(i);
      }
    }
    if (count === undefined) return hits.length ? out.integer(hits[0]!) : out.bulk(null);
    out.array(hits.length);
    for (const h of hits) out.integer(h);
  },
  LMOVE(ks, op, c, out) {
    const v = move(ks, c.db, arg(op, 'source'), arg(op, 'destination'), op.choices[0] === 'LEFT', op.choices[1] === 'LEFT');
    out.bulk(v ?? null);
  },
  RPOPLPUSH(ks, op, c, out) {
    out.bulk(move(ks, c.db, op.argv[1]!, op.argv[2]!, false, true) ?? null);
  },
  LMPOP(ks, op, c, out) {
    if (!mpop(ks, c.db, op, out)) out.nullArray();
  },
  BLPOP: blockingPop(true),
  BRPOP: blockingPop(false),
  BLMOVE(ks, op, c, out): void | Block {
    const src = arg(op, 'source');
    const dst = arg(op, 'destination');
    const fromLeft = op.choices[0] === 'LEFT';
    const toLeft = op.choices[1] === 'LEFT';
    const deadline = deadlineOf(arg(op, 'timeout'));
    const v = move(ks, c.db, src, dst, fromLeft, toLeft);
    if (v !== undefined) return out.bulk(v);
    const db = c.db;
    return {
      kind: 'block',
      keys: [src],
      deadline,
      retry: (o) => {
        const m = move(ks, db, src, dst, fromLeft, toLeft);
        if (m === undefined) return false;
        o.bulk(m);
        return true;
      },
      timeout: (o) => o.bulk(null),
    };
  },
  BLMPOP(ks, op, c, out): void | Block {
    const deadline = deadlineOf(arg(op, 'timeout'));
    if (mpop(ks, c.db, op, out)) return;
    const db = c.db;
    return { kind: 'block', keys: args(op, 'key'), deadline, retry: (o) => mpop(ks, db, op, o), timeout: (o) => o.nullArray() };
  },
};
