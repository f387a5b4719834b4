// Helpers shared by command implementations: typed lookups and Redis's number parsing and formatting.
import type { KeyOp } from '../../../compiler/index.ts';
import { fail } from '../errors.ts';
import type { Keyspace } from '../keyspace.ts';
import { Deque, ZSet, type Hash, type MemberSet, type Value } from '../values.ts';

/** A named argument's single value (the matcher guarantees presence for required ones). */
export function arg(op: KeyOp, name: string): string {
  const v = op.args[name];
  return typeof v === 'string' ? v : '';
}

/** An optional named argument. */
export function optArg(op: KeyOp, name: string): string | undefined {
  const v = op.args[name];
  return typeof v === 'string' ? v : undefined;
}

/** Every occurrence of a repeated argument. */
export function args(op: KeyOp, name: string): readonly string[] {
  const v = op.args[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function has(op: KeyOp, keyword: string): boolean {
  return op.args[keyword] === true;
}

const INT = /^-?(0|[1-9][0-9]*)$/;
const MAX = 9223372036854775807n;
const MIN = -9223372036854775808n;

/** A 64-bit integer as Redis reads it (no sign '+', no spaces, no leading zeros); a number when safe. */
export function parseInteger(s: string): number {
  if (s.length === 0 || s.length > 20 || !INT.test(s)) fail('not_integer');
  const n = Number(s);
  if (Number.isSafeInteger(n)) return n;
  const b = BigInt(s);
  if (b > MAX || b < MIN) fail('not_integer');
  return n;
}

/** Like parseInteger but exact beyond 2^53 (INCR on big counters). */
export function parseBig(s: string): bigint {
  if (s.length === 0 || s.length > 20 || !INT.test(s)) fail('not_integer');
  const b = BigInt(s);
  if (b > MAX || b < MIN) fail('not_integer');
  return b;
}

/** Whether a bigint fits int64. */
export function inInt64(b: bigint): boolean {
  return b <= MAX && b >= MIN;
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A double as Redis reads it (strtod forms and inf/-inf); undefined when invalid. */
export function readFloat(s: string): number | undefined {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (!FLOAT.test(s)) return undefined;
  return Number(s);
}

export function parseFloatArg(s: string): number {
  const v = readFloat(s);
  if (v === undefined || Number.isNaN(v)) fail('not_float');
  return v;
}

/** Redis's text for a double (scores, INCRBYFLOAT): shortest round-trip form, `inf`/`-inf`. */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return String(d);
}

/** The value at key when it is a string; WRONGTYPE otherwise. */
export function getString(ks: Keyspace, db: number, key: string): string | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && typeof v !== 'string') fail('wrongtype');
  return v;
}

export function getList(ks: Keyspace, db: number, key: string): Deque | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof Deque)) fail('wrongtype');
  return v;
}

export function getHash(ks: Keyspace, db: number, key: string): Hash | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof Map)) fail('wrongtype');
  return v;
}

export function getSet(ks: Keyspace, db: number, key: string): MemberSet | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof Set)) fail('wrongtype');
  return v;
}

export function getZSet(ks: Keyspace, db: number, key: string): ZSet | undefined {
  const v = ks.get(db, key);
  if (v !== undefined && !(v instanceof ZSet)) fail('wrongtype');
  return v;
}

/** Resolves Redis's inclusive [start, stop] with negative indexes against a length; undefined when empty. */
export function rangeOf(start: number, stop: number, len: number): [number, number] | undefined {
  if (start < 0) start = len + start;
  if (stop < 0) stop = len + stop;
  if (start < 0) start = 0;
  if (stop >= len) stop = len - 1;
  if (start > stop || start >= len) return undefined;
  return [start, stop];
}

/** Deletes a key when its collection became empty (Redis never keeps empty aggregates). */
export function dropIfEmpty(ks: Keyspace, db: number, key: string, v: Value): void {
  const size = typeof v === 'string' ? 1 : v instanceof Deque ? v.length : v.size;
  if (size === 0) ks.delete(db, key);
  else ks.modified(db, key);
}
