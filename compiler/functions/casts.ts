// PostgreSQL's cast rules over IR types: type categories, implicit/assignment/explicit castability, common-type selection.

import { typeEquals, type DataType } from '../ir/types.ts';

/**
 * PostgreSQL type categories (pg_type.typcategory): resolution prefers candidates in the same
 * category as the argument and, within one, the category's preferred type.
 */
export type Category = 'B' | 'N' | 'S' | 'D' | 'T' | 'U' | 'J' | 'A' | 'R' | 'C' | 'V' | 'G' | 'X';

export function category(t: DataType): Category {
  switch (t.kind) {
    case 'bool': return 'B';
    case 'int16': case 'int32': case 'int64': case 'float32': case 'float64': case 'decimal': return 'N';
    case 'utf8': return 'S';
    case 'date': case 'timestamp': return 'D';
    case 'interval': return 'T';
    case 'uuid': return 'U';
    case 'json': return 'U';
    case 'list': return 'A';
    case 'binary': return 'U';
    case 'struct': return 'C';
    case 'vector': return 'V';
    case 'node': case 'edge': case 'path': return 'G';
    case 'unknown': case 'null': case 'error': return 'X';
  }
}

/** The preferred type of each category, as PostgreSQL marks them (float8, text, timestamptz, interval, bool). */
export function isPreferred(t: DataType): boolean {
  switch (t.kind) {
    case 'float64': case 'bool': case 'interval': return true;
    case 'utf8': return t.maxLength === undefined && !t.fixed;
    case 'timestamp': return t.tz;
    default: return false;
  }
}

const NUMERIC_RANK: Partial<Record<DataType['kind'], number>> = { int16: 0, int32: 1, int64: 2, decimal: 3, float32: 4, float64: 5 };

/** True when two types are the same type ignoring type modifiers (varchar(10) ≡ text, numeric(15,2) ≡ numeric). */
export function sameBase(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'timestamp': return a.tz === (b as typeof a).tz;
    case 'json': return a.binary === (b as typeof a).binary;
    case 'list': return sameBase(a.element, (b as typeof a).element);
    case 'vector': return a.dimension === (b as typeof a).dimension;
    default: return true;
  }
}

/** Types that accept anything without a cast: unknown literals, bare NULL and the poison type. */
export const isPseudo = (t: DataType): boolean => t.kind === 'unknown' || t.kind === 'null' || t.kind === 'error';

/** pg_cast entries with context 'i': casts the binder may insert silently in any expression. */
export function canImplicitCast(from: DataType, to: DataType): boolean {
  if (isPseudo(from) || to.kind === 'error' || sameBase(from, to)) return true;
  const rf = NUMERIC_RANK[from.kind];
  const rt = NUMERIC_RANK[to.kind];
  if (rf !== undefined && rt !== undefined) return rf < rt;
  if (from.kind === 'date') return to.kind === 'timestamp';
  if (from.kind === 'timestamp' && to.kind === 'timestamp') return !from.tz && to.tz;
  if (from.kind === 'list' && to.kind === 'list') return canImplicitCast(from.element, to.element);
  return false;
}

/** Assignment context (INSERT/UPDATE targets): implicit casts plus numeric narrowing, timestamp → date, and I/O conversion to strings. */
export function canAssignCast(from: DataType, to: DataType): boolean {
  if (canImplicitCast(from, to)) return true;
  if (NUMERIC_RANK[from.kind] !== undefined && NUMERIC_RANK[to.kind] !== undefined) return true;
  if (from.kind === 'timestamp' && (to.kind === 'date' || to.kind === 'timestamp')) return true;
  if (from.kind === 'json' && to.kind === 'json') return true;
  if (to.kind === 'utf8') return true;
  return false;
}

/** Explicit CAST: assignment casts, conversions from strings (checked at run time) and a few value-preserving extras. */
export function canExplicitCast(from: DataType, to: DataType): boolean {
  if (canAssignCast(from, to)) return true;
  if (from.kind === 'utf8') return true;
  if (from.kind === 'bool' && to.kind === 'int32') return true;
  if (from.kind === 'int32' && to.kind === 'bool') return true;
  if (from.kind === 'json' && (NUMERIC_RANK[to.kind] !== undefined || to.kind === 'bool')) return true;
  if (from.kind === 'list' && to.kind === 'list') return canExplicitCast(from.element, to.element);
  if (from.kind === 'list' && to.kind === 'vector') return NUMERIC_RANK[from.element.kind] !== undefined;
  if (from.kind === 'json' && to.kind === 'vector') return true;
  if (from.kind === 'vector' && to.kind === 'list') return true;
  return false;
}

/**
 * PostgreSQL's select_common_type (UNION, CASE, VALUES, IN, COALESCE): unknowns follow the
 * known types, all-unknown resolves to text; otherwise the first type is replaced by a later one
 * of the same category when it is preferred or the earlier one casts implicitly to it.
 * Returns the index of the first type that cannot be matched when categories differ.
 */
export function selectCommonType(types: readonly DataType[]): { type: DataType } | { conflict: number; with: DataType } {
  let pick: DataType | undefined;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t.kind === 'error') return { type: t };
    if (t.kind === 'unknown' || t.kind === 'null') continue;
    if (!pick) {
      pick = t;
      continue;
    }
    if (sameBase(pick, t)) continue;
    if (category(pick) !== category(t)) return { conflict: i, with: pick };
    if (!isPreferred(pick) && canImplicitCast(pick, t) && !canImplicitCast(t, pick)) pick = t;
  }
  if (!pick) return { type: { kind: 'utf8' } };
  // Type modifiers survive only when every input carries exactly them (PostgreSQL resolves to typmod -1 otherwise).
  const chosen = pick;
  return { type: types.every((t) => typeEquals(t, chosen)) ? chosen : dropTypmods(chosen) };
}

/** The same base type without length/precision modifiers (char(n) keeps being blank-padded). */
export function dropTypmods(t: DataType): DataType {
  if (t.kind === 'decimal') return { kind: 'decimal' };
  if (t.kind === 'utf8') return t.fixed ? { kind: 'utf8', fixed: true } : { kind: 'utf8' };
  return t;
}

export const numericRank = (t: DataType): number | undefined => NUMERIC_RANK[t.kind];
