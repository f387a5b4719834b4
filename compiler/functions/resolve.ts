// Overload resolution after PostgreSQL's func_select_candidate: exact matches, then preferred types, then unknown-literal categories.

import { listOf, type DataType } from '../ir/types.ts';
import { canImplicitCast, category, dropTypmods, isPreferred, sameBase, selectCommonType, type Category } from './casts.ts';
import type { ArgSpec, ResultSpec, Signature } from './registry.ts';

/** A chosen overload: the type each argument must be coerced to, and the result type. */
export interface Resolved {
  readonly signature: Signature;
  readonly argTypes: readonly DataType[];
  readonly result: DataType;
}

export type Resolution = { readonly kind: 'ok'; readonly resolved: Resolved } | { readonly kind: 'none' } | { readonly kind: 'ambiguous' };

const TEXT: DataType = { kind: 'utf8' };
const isUnknown = (t: DataType): boolean => t.kind === 'unknown' || t.kind === 'null';

/** Concrete slot types of a signature for `args`, unifying polymorphic slots; undefined if it cannot apply. */
function instantiate(s: Signature, args: readonly DataType[]): { slots: DataType[]; elem: DataType } | undefined {
  const n = args.length;
  if (s.variadic ? n < s.args.length - 1 : n !== s.args.length) return undefined;
  const specs: ArgSpec[] = [];
  for (let i = 0; i < n; i++) specs.push(s.args[Math.min(i, s.args.length - 1)]!);
  const elemInputs: DataType[] = [];
  for (let i = 0; i < n; i++) {
    const a = args[i]!;
    if (specs[i] === 'elem') elemInputs.push(a);
    else if (specs[i] === 'array') {
      if (a.kind === 'list') elemInputs.push(a.element);
      else if (!isUnknown(a)) return undefined;
    }
  }
  let elem: DataType = TEXT;
  if (elemInputs.length) {
    const common = selectCommonType(elemInputs);
    if (!('type' in common)) return undefined;
    // Polymorphic results carry no type modifiers, as in PostgreSQL.
    elem = dropTypmods(common.type);
  }
  const slots = specs.map((spec, i) => {
    if (spec === 'elem') return elem;
    if (spec === 'array') return listOf(elem);
    if (spec === 'any') return isUnknown(args[i]!) ? TEXT : args[i]!;
    return spec;
  });
  return { slots, elem };
}

function resultOf(spec: ResultSpec, elem: DataType, slots: readonly DataType[]): DataType {
  if (spec === 'elem') return elem;
  if (spec === 'array') return listOf(elem);
  if (typeof spec === 'function') return spec(slots);
  return spec;
}

interface Candidate {
  readonly signature: Signature;
  readonly slots: DataType[];
  readonly elem: DataType;
}

const done = (c: Candidate): Resolution => ({
  kind: 'ok',
  resolved: { signature: c.signature, argTypes: c.slots, result: resultOf(c.signature.result, c.elem, c.slots) },
});

/** A cache key for a type: resolution depends on the base type only, but results carry modifiers through polymorphic slots. */
function typeKey(t: DataType): string {
  switch (t.kind) {
    case 'decimal': return `decimal(${t.precision ?? ''},${t.scale ?? ''})`;
    case 'utf8': return `utf8(${t.maxLength ?? ''},${t.fixed ? 1 : 0})`;
    case 'timestamp': return t.tz ? 'timestamptz' : 'timestamp';
    case 'json': return t.binary ? 'jsonb' : 'json';
    case 'list': return `${typeKey(t.element)}[]`;
    case 'vector': return `vector(${t.dimension})`;
    case 'struct': return `struct(${t.fields.map((f) => `${f.name}:${typeKey(f.type)}`).join(',')})`;
    default: return t.kind;
  }
}

/** Resolutions per overload list and argument types: binding resolves the same few operators over and over. */
const cache = new WeakMap<readonly Signature[], Map<string, Resolution>>();

/** Picks the overload of `signatures` PostgreSQL would pick for arguments of types `args` (memoized). */
export function resolveOverload(signatures: readonly Signature[], args: readonly DataType[]): Resolution {
  let bySig = cache.get(signatures);
  if (!bySig) {
    bySig = new Map();
    cache.set(signatures, bySig);
  }
  const k = args.map(typeKey).join(',');
  let r = bySig.get(k);
  if (!r) {
    r = resolveUncached(signatures, args);
    bySig.set(k, r);
  }
  return r;
}

function resolveUncached(signatures: readonly Signature[], args: readonly DataType[]): Resolution {
  const all: Candidate[] = [];
  for (const s of signatures) {
    const inst = instantiate(s, args);
    if (inst) all.push({ signature: s, ...inst });
  }
  // An exact match, treating unknown literals as the type of the other known arguments (PostgreSQL's binary-operator rule).
  const known = args.filter((a) => !isUnknown(a));
  const assumed = known.length > 0 && known.every((k) => sameBase(k, known[0]!)) ? args.map((a) => (isUnknown(a) ? known[0]! : a)) : args;
  const exact = all.filter((c) => c.slots.every((t, i) => sameBase(t, assumed[i]!)));
  if (exact.length >= 1) return done(exact[0]!);

  let viable = all.filter((c) => c.slots.every((t, i) => canImplicitCast(args[i]!, t)));
  if (viable.length === 0) return { kind: 'none' };
  if (viable.length === 1) return done(viable[0]!);

  viable = keepBest(viable, (c) => c.slots.filter((t, i) => !isUnknown(args[i]!) && sameBase(t, args[i]!)).length);
  if (viable.length === 1) return done(viable[0]!);

  viable = keepBest(viable, (c) => c.slots.filter((t, i) => !isUnknown(args[i]!) && !sameBase(t, args[i]!) && isPreferred(t)).length);
  if (viable.length === 1) return done(viable[0]!);

  for (let i = 0; i < args.length; i++) {
    if (!isUnknown(args[i]!)) continue;
    const cats = new Set<Category>(viable.map((c) => category(c.slots[i]!)));
    const want: Category | undefined = cats.has('S') ? 'S' : cats.size === 1 ? [...cats][0] : undefined;
    if (!want) continue;
    const inCat = viable.filter((c) => category(c.slots[i]!) === want);
    const preferred = inCat.filter((c) => isPreferred(c.slots[i]!));
    viable = preferred.length ? preferred : inCat;
  }
  if (viable.length === 1) return done(viable[0]!);
  const first = viable[0]!;
  const same = viable.every((c) => c.slots.every((t, i) => sameBase(t, first.slots[i]!)));
  return same ? done(first) : { kind: 'ambiguous' };
}

function keepBest<C>(items: C[], score: (c: C) => number): C[] {
  let best = -1;
  for (const c of items) best = Math.max(best, score(c));
  return items.filter((c) => score(c) === best);
}
