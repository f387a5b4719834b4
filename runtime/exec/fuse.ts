// Fused evaluation of numeric expression trees: arithmetic, numeric casts and one comparison over
// int/float/decimal/date/timestamp columns compile to one JavaScript loop per batch (generated
// with `new Function`, specialized to the decimal scales the batch carries).
//
// The fused loop never raises: any row that would overflow, divide by zero or leave the exact
// float64 range sets a flag, and the batch is redone by the general kernels, which raise
// PostgreSQL's errors (ignoring NULL rows) or continue in bigint.

import type { Expr } from '../../compiler/ir/expr.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import type { Layout } from './compile.ts';
import type { Evaluator } from './context.ts';
import { US_PER_DAY } from './datetime.ts';
import { MAX_EXACT, parseDecimal, pow10 } from './decimal.ts';
import { andValid } from './kernels.ts';
import { type Vec, makeVec } from './vector.ts';

type Kind = 'int' | 'int64' | 'float' | 'decimal';

const LEAF_KINDS: Record<string, Kind | undefined> = {
  int16: 'int', int32: 'int', date: 'int', int64: 'int64', timestamp: 'int64', float32: 'float', float64: 'float', decimal: 'decimal',
};
const ARITH = new Set(['+', '-', '*', '/', '%']);
const CMP: Record<string, string> = { '=': '===', '<>': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** A node of the fusable tree, with the inputs it reads. */
interface Shape {
  readonly ops: number;
  readonly leaves: readonly number[];
}

function kindOf(t: DataType): Kind | undefined {
  return LEAF_KINDS[t.kind];
}

/** Whether `e` can be fused; counts arithmetic/cast nodes and collects column leaves. */
function shape(e: Expr, layout: Layout, root: boolean, leaves: number[]): number | undefined {
  switch (e.kind) {
    case 'column': {
      const idx = layout.get(e.id);
      if (idx === undefined || !kindOf(e.type)) return undefined;
      if (!leaves.includes(idx)) leaves.push(idx);
      return 0;
    }
    case 'literal': {
      if (e.value === null || !kindOf(e.type)) return undefined;
      const x = e.type.kind === 'decimal' ? Number(parseDecimal(String(e.value))?.value ?? NaN) : Number(e.value as number | bigint);
      return Number.isFinite(x) && Math.abs(x) <= MAX_EXACT ? 0 : undefined;
    }
    case 'cast': {
      const from = kindOf(e.expr.type);
      const to = kindOf(e.type);
      if (!from || !to || (to !== 'float' && from === 'float') || (from === 'decimal' && to !== 'float' && to !== 'decimal')) return undefined;
      if (e.type.kind === 'date' || e.expr.type.kind === 'date' || e.type.kind === 'timestamp' || e.expr.type.kind === 'timestamp') {
        if (!(e.expr.type.kind === 'date' && e.type.kind === 'timestamp') && e.expr.type.kind !== e.type.kind) return undefined;
      }
      // Narrowing a decimal scale needs rounding: leave it to the general kernel.
      if (e.type.kind === 'decimal' && e.type.scale !== undefined && e.expr.type.kind === 'decimal') return undefined;
      const n = shape(e.expr, layout, false, leaves);
      return n === undefined ? undefined : n + 1;
    }
    case 'call': {
      if (e.fn === 'neg' && e.args.length === 1) {
        const k = kindOf(e.type);
        if (!k) return undefined;
        const n = shape(e.args[0]!, layout, false, leaves);
        return n === undefined ? undefined : n + 1;
      }
      if (e.args.length !== 2) return undefined;
      const isCmp = CMP[e.fn] !== undefined;
      if (!ARITH.has(e.fn) && !(isCmp && root)) return undefined;
      const [a, b] = e.args as [Expr, Expr];
      const ka = kindOf(a.type);
      const kb = kindOf(b.type);
      if (!ka || !kb) return undefined;
      const exactNumeric = (k: string): boolean => k === 'int16' || k === 'int32' || k === 'int64' || k === 'decimal';
      if (isCmp && a.type.kind !== b.type.kind && !(exactNumeric(a.type.kind) && exactNumeric(b.type.kind))) return undefined;
      if (!isCmp) {
        const k = kindOf(e.type);
        if (!k || (k === 'decimal' && (e.fn === '/' || e.fn === '%'))) return undefined;
        if (a.type.kind !== b.type.kind && !(k === 'decimal' && ka !== 'float' && kb !== 'float')) return undefined;
        if (e.type.kind === 'date' || e.type.kind === 'timestamp' || a.type.kind === 'date' || a.type.kind === 'timestamp') return undefined;
      }
      const x = shape(a, layout, false, leaves);
      const y = shape(b, layout, false, leaves);
      return x === undefined || y === undefined ? undefined : x + y + 1;
    }
    default:
      return undefined;
  }
}

interface Gen {
  lines: string[];
  temps: number;
  leafVar: Map<number, string>;
  scales: Map<number, number>;
}

/** Emits code for `e`; returns the variable holding its value and its decimal scale. */
function emit(e: Expr, layout: Layout, g: Gen): { v: string; scale: number } {
  const t = (): string => `t${g.temps++}`;
  const check = (v: string, k: Kind, type: DataType): void => {
    if (k === 'int') {
      const [lo, hi] = type.kind === 'int16' ? [-32768, 32767] : [-2147483648, 2147483647];
      g.lines.push(`if (${v} > ${hi} || ${v} < ${lo}) return 1;`);
    } else if (k === 'float') g.lines.push(`if (${v} - ${v} !== 0) return 1;`);
    else g.lines.push(`if (${v} > ${MAX_EXACT} || ${v} < -${MAX_EXACT}) return 1;`);
  };
  switch (e.kind) {
    case 'column': {
      const idx = layout.get(e.id)!;
      return { v: `${g.leafVar.get(idx)!}[i]`, scale: g.scales.get(idx) ?? 0 };
    }
    case 'literal': {
      if (e.type.kind === 'decimal') {
        const p = parseDecimal(String(e.value))!;
        return { v: `(${Number(p.value)})`, scale: p.scale };
      }
      return { v: `(${Number(e.value as number | bigint)})`, scale: 0 };
    }
    case 'cast': {
      const inner = emit(e.expr, layout, g);
      const to = kindOf(e.type)!;
      const from = kindOf(e.expr.type)!;
      const v = t();
      if (e.expr.type.kind === 'date' && e.type.kind === 'timestamp') {
        g.lines.push(`const ${v} = ${inner.v} * ${US_PER_DAY};`);
        return { v, scale: 0 };
      }
      if (to === 'float') {
        const x = from === 'decimal' && inner.scale > 0 ? `${inner.v} / ${pow10(inner.scale)}` : inner.v;
        g.lines.push(`const ${v} = ${e.type.kind === 'float32' ? `Math.fround(${x})` : x};`);
        return { v, scale: 0 };
      }
      if (to === 'decimal') {
        const target = e.type.kind === 'decimal' && e.type.scale !== undefined ? e.type.scale : inner.scale;
        g.lines.push(`const ${v} = ${inner.v} * ${pow10(target - inner.scale)};`);
        check(v, 'decimal', e.type);
        return { v, scale: target };
      }
      g.lines.push(`const ${v} = ${inner.v};`);
      check(v, to, e.type);
      return { v, scale: 0 };
    }
    case 'call': {
      if (e.fn === 'neg') {
        const a = emit(e.args[0]!, layout, g);
        const v = t();
        g.lines.push(`const ${v} = -${a.v};`);
        check(v, kindOf(e.type)!, e.type);
        return { v, scale: a.scale };
      }
      const [ae, be] = e.args as [Expr, Expr];
      let a = emit(ae, layout, g);
      let b = emit(be, layout, g);
      const dec = ae.type.kind === 'decimal' || be.type.kind === 'decimal';
      const v = t();
      const cmp = CMP[e.fn];
      if (cmp !== undefined || (dec && e.fn !== '*')) {
        // Align decimal scales before adding, subtracting or comparing.
        const s = Math.max(a.scale, b.scale);
        if (a.scale < s) {
          const x = t();
          g.lines.push(`const ${x} = ${a.v} * ${pow10(s - a.scale)};`);
          check(x, 'decimal', e.type);
          a = { v: x, scale: s };
        }
        if (b.scale < s) {
          const x = t();
          g.lines.push(`const ${x} = ${b.v} * ${pow10(s - b.scale)};`);
          check(x, 'decimal', e.type);
          b = { v: x, scale: s };
        }
      }
      if (cmp !== undefined) {
        g.lines.push(`const ${v} = ${a.v} ${cmp} ${b.v} ? 1 : 0;`);
        return { v, scale: 0 };
      }
      const k = kindOf(e.type)!;
      switch (e.fn) {
        case '/':
          g.lines.push(`if (${b.v} === 0) return 1;`);
          g.lines.push(`const ${v} = ${k === 'float' ? `${a.v} / ${b.v}` : `Math.trunc(${a.v} / ${b.v})`};`);
          break;
        case '%':
          g.lines.push(`if (${b.v} === 0) return 1;`);
          g.lines.push(`const ${v} = ${a.v} % ${b.v};`);
          break;
        default:
          g.lines.push(`const ${v} = ${a.v} ${e.fn} ${b.v};`);
      }
      check(v, k, e.type);
      return { v, scale: e.fn === '*' ? a.scale + b.scale : Math.max(a.scale, b.scale) };
    }
    default:
      return { v: 'NaN', scale: 0 };
  }
}

type Kernel = (n: number, out: Float64Array | Int32Array | Uint8Array, ...cols: (Float64Array | Int32Array)[]) => number;

/**
 * A fused evaluator for `e` when its tree is numeric throughout and has at least two operations,
 * falling back to `general` for batches it cannot finish exactly; otherwise undefined.
 */
export function fuse(e: Expr, layout: Layout, general: Evaluator): Evaluator | undefined {
  const leaves: number[] = [];
  const ops = shape(e, layout, true, leaves);
  if (ops === undefined || ops < 2 || leaves.length === 0) return undefined;
  const info: Shape = { ops, leaves };
  const isCmp = e.kind === 'call' && CMP[e.fn] !== undefined;
  const rt = e.type;
  const outKind = isCmp ? 'bool' : rt.kind === 'int16' || rt.kind === 'int32' || rt.kind === 'date' ? 'i32' : 'f64';
  const kernels = new Map<string, { fn: Kernel; scale: number }>();
  const kernelFor = (scales: readonly number[]): { fn: Kernel; scale: number } => {
    const key = scales.join(',');
    let k = kernels.get(key);
    if (!k) {
      const g: Gen = { lines: [], temps: 0, leafVar: new Map(info.leaves.map((idx, j) => [idx, `c${j}`])), scales: new Map(info.leaves.map((idx, j) => [idx, scales[j]!])) };
      const r = emit(e, layout, g);
      const params = info.leaves.map((_, j) => `c${j}`);
      const body = `for (let i = 0; i < n; i++) {\n${g.lines.join('\n')}\nout[i] = ${r.v};\n}\nreturn 0;`;
      k = { fn: new Function('n', 'out', ...params, body) as Kernel, scale: r.scale };
      kernels.set(key, k);
    }
    return k;
  };
  return (c, rc) => {
    const vecs: Vec[] = [];
    for (const idx of info.leaves) {
      const v = c.columns[idx]!;
      if (v.rep !== 'i32' && v.rep !== 'f64') return general(c, rc);
      vecs.push(v);
    }
    const k = kernelFor(vecs.map((v) => v.scale));
    const n = c.length;
    const out = outKind === 'bool' ? new Uint8Array(n) : outKind === 'i32' ? new Int32Array(n) : new Float64Array(n);
    let valid: Uint8Array | null = null;
    for (const v of vecs) valid = andValid(valid, v.valid, n);
    // Rows that are NULL may hold garbage that trips a check; the general path sorts that out.
    if (k.fn(n, out, ...vecs.map((v) => v.data as Float64Array | Int32Array)) !== 0) return general(c, rc);
    return makeVec(isCmp ? { kind: 'bool' } : rt, outKind, out, valid, isCmp ? 0 : k.scale);
  };
}
