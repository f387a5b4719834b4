// HyperLogLog (PFADD, PFCOUNT, PFMERGE): 16384 registers held in a string value, as Redis does.
//
// The string is `HYLL` followed by one byte per register (a dense layout of our own: the bytes are not
// Redis's sparse/dense encoding, which only matters to DUMP/RESTORE, which we do not offer).
import { fail } from '../errors.ts';
import type { Handler, Keyspace } from '../keyspace.ts';
import { args, getString } from './util.ts';

const P = 14;
const M = 1 << P;
const MAGIC = 'HYLL';

function registers(ks: Keyspace, db: number, key: string): Uint8Array | undefined {
  const v = getString(ks, db, key);
  if (v === undefined) return undefined;
  if (v.length !== MAGIC.length + M || !v.startsWith(MAGIC)) fail('hll_invalid');
  return Uint8Array.from(Buffer.from(v.slice(MAGIC.length), 'latin1'));
}

function save(ks: Keyspace, db: number, key: string, r: Uint8Array): void {
  ks.put(db, key, MAGIC + Buffer.from(r).toString('latin1', 0, M));
}

function addTo(r: Uint8Array, element: string): boolean {
  const h = Bun.hash.wyhash(element, 0x5bd1e995n);
  const index = Number(h & BigInt(M - 1));
  let rest = h >> BigInt(P);
  let rank = 1;
  while ((rest & 1n) === 0n && rank <= 64 - P) {
    rank++;
    rest >>= 1n;
  }
  if (r[index]! >= rank) return false;
  r[index] = rank;
  return true;
}

function estimate(r: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < M; i++) {
    sum += 2 ** -r[i]!;
    if (r[i] === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / M);
  const e = (alpha * M * M) / sum;
  if (e <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
  return Math.round(e);
}

export const hllCommands: Record<string, Handler> = {
  PFADD(ks, op, c, out) {
    const key = op.argv[1]!;
    const existing = registers(ks, c.db, key);
    const r = existing ?? new Uint8Array(M);
    let changed = existing === undefined;
    for (const e of args(op, 'element')) if (addTo(r, e)) changed = true;
    if (changed) save(ks, c.db, key, r);
    out.integer(changed ? 1 : 0);
  },
  PFCOUNT(ks, op, c, out) {
    const merged = new Uint8Array(M);
    for (const key of args(op, 'key')) {
      const r = registers(ks, c.db, key);
      if (r) for (let i = 0; i < M; i++) if (r[i]! > merged[i]!) merged[i] = r[i]!;
    }
    out.integer(estimate(merged));
  },
  PFMERGE(ks, op, c, out) {
    const dest = op.argv[1]!;
    const merged = registers(ks, c.db, dest) ?? new Uint8Array(M);
    for (const key of args(op, 'sourcekey')) {
      const r = registers(ks, c.db, key);
      if (r) for (let i = 0; i < M; i++) if (r[i]! > merged[i]!) merged[i] = r[i]!;
    }
    save(ks, c.db, dest, merged);
    out.simple('OK');
  },
};
