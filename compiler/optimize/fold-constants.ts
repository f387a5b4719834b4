// Rule fold-constants: evaluates calls and casts whose inputs are all literals (arithmetic, comparisons, dates, 3-valued logic).

import { dateFromText } from '../ir/datetime.ts';
import { literal, type Expr, type Literal } from '../ir/expr.ts';
import type { DataType, Interval } from '../ir/types.ts';
import { rewriteExprs, type Rule } from './rule.ts';
import { mapExpr } from './util.ts';

/** Functions that return NULL when any argument is NULL. */
const STRICT = new Set(['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', 'neg', '||', 'like', 'ilike', 'lower', 'upper', 'length', 'abs', 'substring']);

const DAY_MICROS = 86_400_000_000;

/** A decimal string as a scaled big integer. */
function dec(s: string): { v: bigint; scale: number } {
  const neg = s.startsWith('-');
  const body = neg || s.startsWith('+') ? s.slice(1) : s;
  const [i = '0', f = ''] = body.split('.');
  const v = BigInt((i || '0') + f);
  return { v: neg ? -v : v, scale: f.length };
}

function decString(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const out = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${out}` : out;
}

function align(a: { v: bigint; scale: number }, b: { v: bigint; scale: number }): [bigint, bigint, number] {
  const s = Math.max(a.scale, b.scale);
  return [a.v * 10n ** BigInt(s - a.scale), b.v * 10n ** BigInt(s - b.scale), s];
}

/** A literal's value as a decimal, whatever numeric type it has. */
function asDecimal(l: Literal): { v: bigint; scale: number } | undefined {
  if (typeof l.value === 'string' && l.type.kind === 'decimal') return dec(l.value);
  if (typeof l.value === 'bigint') return { v: l.value, scale: 0 };
  if (typeof l.value === 'number' && Number.isInteger(l.value)) return { v: BigInt(l.value), scale: 0 };
  return undefined;
}

function addMonths(days: number, months: number): number {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d.getUTCDate(), lastDay)) / 86_400_000;
}

/** date/timestamp ± interval, in the result type the binder chose. */
function shiftTime(base: Literal, iv: Interval, sign: 1 | -1, result: DataType): Literal | undefined {
  let micros: number;
  if (base.type.kind === 'date') micros = (base.value as number) * DAY_MICROS;
  else if (base.type.kind === 'timestamp') micros = base.value as number;
  else return undefined;
  const dayPart = Math.floor(micros / DAY_MICROS);
  const timePart = micros - dayPart * DAY_MICROS;
  const days = addMonths(dayPart, sign * iv.months) + sign * iv.days;
  const out = days * DAY_MICROS + timePart + sign * iv.micros;
  if (result.kind === 'timestamp') return literal(out, result);
  if (result.kind === 'date' && out % DAY_MICROS === 0) return literal(out / DAY_MICROS, result);
  return undefined;
}

function compare(a: Literal, b: Literal, equalityOnly: boolean): number | undefined {
  const da = asDecimal(a);
  const db = asDecimal(b);
  if (da && db) {
    const [x, y] = align(da, db);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const va = a.value;
  const vb = b.value;
  if ((typeof va === 'number' || typeof va === 'bigint') && (typeof vb === 'number' || typeof vb === 'bigint')) {
    const x = Number(va);
    const y = Number(vb);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // Text order depends on the collation the executor uses: only equality is folded, and not for
  // blank-padded char(n), where trailing spaces do not count.
  if (typeof va === 'string' && typeof vb === 'string' && a.type.kind !== 'decimal' && b.type.kind !== 'decimal') {
    const padded = (l: Literal): boolean => l.type.kind === 'utf8' && !!l.type.fixed;
    return equalityOnly || padded(a) || padded(b) ? undefined : va === vb ? 0 : 1;
  }
  if (typeof va === 'boolean' && typeof vb === 'boolean') return Number(va) - Number(vb);
  return undefined;
}

function arithmetic(fn: string, a: Literal, b: Literal, t: DataType): Literal | undefined {
  if (t.kind === 'decimal') {
    const da = asDecimal(a);
    const db = asDecimal(b);
    if (!da || !db) return undefined;
    if (fn === '*') return literal(decString(da.v * db.v, da.scale + db.scale), t);
    const [x, y, s] = align(da, db);
    if (fn === '+') return literal(decString(x + y, s), t);
    if (fn === '-') return literal(decString(x - y, s), t);
    return undefined;
  }
  if (t.kind === 'int64' && typeof a.value === 'bigint' && typeof b.value === 'bigint') {
    const [x, y] = [a.value, b.value];
    let r: bigint;
    switch (fn) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = x * y; break;
      case '/': if (y === 0n) return undefined; r = x / y; break;
      case '%': if (y === 0n) return undefined; r = x % y; break;
      default: return undefined;
    }
    return r >= -(2n ** 63n) && r < 2n ** 63n ? literal(r, t) : undefined;
  }
  if ((t.kind === 'int16' || t.kind === 'int32' || t.kind === 'float32' || t.kind === 'float64') && typeof a.value === 'number' && typeof b.value === 'number') {
    const [x, y] = [a.value, b.value];
    const isInt = t.kind === 'int16' || t.kind === 'int32';
    let r: number;
    switch (fn) {
      case '+': r = x + y; break;
      case '-': r = x - y; break;
      case '*': r = x * y; break;
      case '/': if (y === 0) return undefined; r = isInt ? Math.trunc(x / y) : x / y; break;
      case '%': if (y === 0) return undefined; r = x % y; break;
      default: return undefined;
    }
    const limit = t.kind === 'int16' ? 32768 : 2147483648;
    // Overflow is a run-time error in PostgreSQL; leave it for the executor to raise.
    if (isInt && (r < -limit || r >= limit)) return undefined;
    return literal(t.kind === 'float32' ? Math.fround(r) : r, t);
  }
  if ((fn === '+' || fn === '-') && b.type.kind === 'interval') return shiftTime(a, b.value as Interval, fn === '+' ? 1 : -1, t);
  if (fn === '+' && a.type.kind === 'interval') return shiftTime(b, a.value as Interval, 1, t);
  if (t.kind === 'date' && (a.type.kind === 'date') && typeof b.value === 'number' && Number.isInteger(b.value)) {
    return fn === '+' ? literal((a.value as number) + b.value, t) : fn === '-' ? literal((a.value as number) - b.value, t) : undefined;
  }
  return undefined;
}

function foldCast(l: Literal, t: DataType): Literal | undefined {
  const v = l.value;
  if (v === null) return literal(null, t);
  const from = l.type.kind;
  switch (t.kind) {
    case 'int16':
    case 'int32': {
      // Out-of-range values are a run-time error in PostgreSQL: leave those casts to the executor.
      const limit = t.kind === 'int16' ? 32768 : 2147483648;
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n === 'number' && Number.isInteger(n) && (from === 'int16' || from === 'int32' || from === 'int64') && n >= -limit && n < limit) return literal(n, t);
      return undefined;
    }
    case 'int64':
      if (typeof v === 'number' && Number.isInteger(v) && (from === 'int16' || from === 'int32')) return literal(BigInt(v), t);
      if (typeof v === 'bigint') return literal(v, t);
      return undefined;
    case 'float32':
    case 'float64':
      if (typeof v === 'number') return literal(v, t);
      if (typeof v === 'bigint') return literal(Number(v), t);
      if (typeof v === 'string' && from === 'decimal') return literal(Number(v), t);
      return undefined;
    case 'decimal':
      if (t.precision !== undefined) return undefined;
      if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && from !== 'float32' && from !== 'float64')) return literal(String(v), t);
      if (typeof v === 'string' && from === 'decimal') return literal(v, t);
      return undefined;
    case 'date': {
      if (typeof v === 'string' && (from === 'unknown' || from === 'utf8')) {
        const d = dateFromText(v);
        return typeof d === 'number' ? literal(d, t) : undefined;
      }
      if (from === 'date') return literal(v, t);
      return undefined;
    }
    case 'timestamp':
      if (from === 'date' && typeof v === 'number' && !t.tz) return literal(v * DAY_MICROS, t);
      if (from === 'timestamp' && (l.type as { tz: boolean }).tz === t.tz) return literal(v, t);
      return undefined;
    case 'utf8':
      if (typeof v === 'string' && (from === 'unknown' || from === 'utf8') && t.maxLength === undefined) return literal(v, t);
      return undefined;
    case 'bool':
      if (typeof v === 'boolean') return literal(v, t);
      return undefined;
    default:
      return undefined;
  }
}

const isLit = (e: Expr): e is Literal => e.kind === 'literal';

/** Folds one expression node whose children are already folded. */
export function foldExpr(e: Expr): Expr {
  if (e.kind === 'cast') return isLit(e.expr) ? (foldCast(e.expr, e.type) ?? e) : e;
  if (e.kind !== 'call') return e;
  const args = e.args;
  switch (e.fn) {
    case 'and': {
      if (args.some((a) => isLit(a) && a.value === false)) return literal(false, e.type);
      if (args.every(isLit)) return literal(args.some((a) => (a as Literal).value === null) ? null : true, e.type);
      return e;
    }
    case 'or': {
      if (args.some((a) => isLit(a) && a.value === true)) return literal(true, e.type);
      if (args.every(isLit)) return literal(args.some((a) => (a as Literal).value === null) ? null : false, e.type);
      return e;
    }
    case 'not': {
      const a = args[0]!;
      return isLit(a) ? literal(a.value === null ? null : !a.value, e.type) : e;
    }
    case 'is_null':
      return isLit(args[0]!) ? literal(args[0].value === null, e.type) : e;
    case 'is_not_null':
      return isLit(args[0]!) ? literal(args[0].value !== null, e.type) : e;
    default:
      break;
  }
  if (!args.every(isLit)) return e;
  const lits = args as readonly Literal[];
  if (STRICT.has(e.fn) && lits.some((l) => l.value === null)) return literal(null, e.type);
  const [a, b] = lits;
  switch (e.fn) {
    case '=': case '<>': case '<': case '<=': case '>': case '>=': {
      const c = compare(a!, b!, e.fn !== '=' && e.fn !== '<>');
      if (c === undefined) return e;
      const r = e.fn === '=' ? c === 0 : e.fn === '<>' ? c !== 0 : e.fn === '<' ? c < 0 : e.fn === '<=' ? c <= 0 : e.fn === '>' ? c > 0 : c >= 0;
      return literal(r, e.type);
    }
    case '+': case '-': case '*': case '/': case '%':
      return arithmetic(e.fn, a!, b!, e.type) ?? e;
    case 'neg':
      if (typeof a!.value === 'number' && a!.value !== -2147483648) return literal(-a!.value, e.type);
      if (typeof a!.value === 'bigint' && a!.value !== -(2n ** 63n)) return literal(-a!.value, e.type);
      if (typeof a!.value === 'string' && e.type.kind === 'decimal') return literal(a!.value.startsWith('-') ? a!.value.slice(1) : `-${a!.value}`, e.type);
      return e;
    case '||':
      return typeof a!.value === 'string' && typeof b!.value === 'string' ? literal(a!.value + b!.value, e.type) : e;
    default:
      return e;
  }
}

/** Rule fold-constants. */
export const foldConstants: Rule = {
  name: 'fold-constants',
  apply: (plan) => rewriteExprs(plan, (e) => mapExpr(e, foldExpr)),
};
