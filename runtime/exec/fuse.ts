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
import type { Evaluator, RunCtx } from './context.ts';
import { US_PER_DAY } from './datetime.ts';
import { MAX_EXACT, parseDecimal, pow10 } from './decimal.ts';
import { andValid, selectTrue } from './kernels.ts';
import { type Chunk, type Vec, gather, gatherChunk, makeVec, vecFromValues } from './vector.ts';
import { ExecError } from './errors.ts';
import { isVolatile } from '../../compiler/optimize/util.ts';

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

/**
 * Whether `e` is an AND/OR tree over fusable comparisons (a filter conjunct such as TPC-H Q19's
 * `(q >= 1 AND q <= 11) OR (q >= 10 AND q <= 20)`), collecting its column leaves.
 */
function logicShape(e: Expr, layout: Layout, leaves: number[]): boolean {
  if (e.kind !== 'call' || (e.fn !== 'and' && e.fn !== 'or')) return false;
  return e.args.every((a) => (a.kind === 'call' && CMP[a.fn] !== undefined ? shape(a, layout, true, leaves) !== undefined : logicShape(a, layout, leaves)));
}

interface Gen {
  lines: string[];
  temps: number;
  leafVar: Map<number, string>;
  scales: Map<number, number>;
  /** The statement that abandons the batch (overflow, division by zero). */
  bail: string;
}

/** Emits code for `e`; returns the variable holding its value and its decimal scale. */
function emit(e: Expr, layout: Layout, g: Gen): { v: string; scale: number } {
  const t = (): string => `t${g.temps++}`;
  const check = (v: string, k: Kind, type: DataType): void => {
    if (k === 'int') {
      const [lo, hi] = type.kind === 'int16' ? [-32768, 32767] : [-2147483648, 2147483647];
      g.lines.push(`if (${v} > ${hi} || ${v} < ${lo}) ${g.bail}`);
    } else if (k === 'float') g.lines.push(`if (${v} - ${v} !== 0) ${g.bail}`);
    else g.lines.push(`if (${v} > ${MAX_EXACT} || ${v} < -${MAX_EXACT}) ${g.bail}`);
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
      if (e.fn === 'and' || e.fn === 'or') {
        const parts = e.args.map((a) => emit(a, layout, g).v);
        const v = t();
        g.lines.push(`const ${v} = ${parts.join(e.fn === 'and' ? ' & ' : ' | ')};`);
        return { v, scale: 0 };
      }
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
        g.lines.push(`const ${v} = (${a.v} ${cmp} ${b.v}) | 0;`);
        return { v, scale: 0 };
      }
      const k = kindOf(e.type)!;
      switch (e.fn) {
        case '/':
          g.lines.push(`if (${b.v} === 0) ${g.bail}`);
          g.lines.push(`const ${v} = ${k === 'float' ? `${a.v} / ${b.v}` : `Math.trunc(${a.v} / ${b.v})`};`);
          break;
        case '%':
          g.lines.push(`if (${b.v} === 0) ${g.bail}`);
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

/** Generated functions by source: a statement run again (or another with the same shape) reuses them. */
const GENERATED = new Map<string, unknown>();

function generated(params: readonly string[], body: string): unknown {
  const key = `${params.join(',')}\n${body}`;
  let f = GENERATED.get(key);
  if (f === undefined) {
    if (GENERATED.size >= 4096) GENERATED.clear();
    f = new Function(...params, body);
    GENERATED.set(key, f);
  }
  return f;
}

type Kernel = (n: number, out: Float64Array | Int32Array | Uint8Array, ...cols: (Float64Array | Int32Array)[]) => number;

/**
 * A fused evaluator for `e` when its tree is numeric throughout and has at least two operations,
 * falling back to `general` for batches it cannot finish exactly; otherwise undefined.
 */
export function fuse(e: Expr, layout: Layout, general: Evaluator, scratch = false): Evaluator | undefined {
  const leaves: number[] = [];
  const ops = shape(e, layout, true, leaves);
  // One operation alone runs as fast through the general kernels, unless its output buffer can be
  // reused (scratch), which the general kernels cannot do.
  if (ops === undefined || ops < (scratch ? 1 : 2) || leaves.length === 0) return undefined;
  const info: Shape = { ops, leaves };
  const isCmp = e.kind === 'call' && CMP[e.fn] !== undefined;
  const rt = e.type;
  const outKind = isCmp ? 'bool' : rt.kind === 'int16' || rt.kind === 'int32' || rt.kind === 'date' ? 'i32' : 'f64';
  const kernels = new Map<string, { fn: Kernel; scale: number }>();
  const kernelFor = (scales: readonly number[]): { fn: Kernel; scale: number } => {
    const key = scales.join(',');
    let k = kernels.get(key);
    if (!k) {
      const g: Gen = { lines: [], temps: 0, leafVar: new Map(info.leaves.map((idx, j) => [idx, `c${j}`])), scales: new Map(info.leaves.map((idx, j) => [idx, scales[j]!])), bail: 'return 1;' };
      const r = emit(e, layout, g);
      const params = info.leaves.map((_, j) => `c${j}`);
      const body = `for (let i = 0; i < n; i++) {\n${g.lines.join('\n')}\nout[i] = ${r.v};\n}\nreturn 0;`;
      k = { fn: generated(['n', 'out', ...params], body) as Kernel, scale: r.scale };
      kernels.set(key, k);
    }
    return k;
  };
  let reuse: Float64Array | Int32Array | Uint8Array | null = null;
  const newOut = (n: number): Float64Array | Int32Array | Uint8Array => (outKind === 'bool' ? new Uint8Array(n) : outKind === 'i32' ? new Int32Array(n) : new Float64Array(n));
  return (c, rc) => {
    const vecs: Vec[] = [];
    for (const idx of info.leaves) {
      const v = c.columns[idx]!;
      if (v.rep !== 'i32' && v.rep !== 'f64') return general(c, rc);
      vecs.push(v);
    }
    const k = kernelFor(vecs.map((v) => v.scale));
    const n = c.length;
    // A scratch evaluator writes into the previous batch's buffer (see compileExpr), grown to the
    // largest batch so far.
    let out: Float64Array | Int32Array | Uint8Array;
    if (!scratch) out = newOut(n);
    else {
      if (reuse === null || reuse.length < n) reuse = newOut(n);
      out = reuse.length === n ? reuse : reuse.subarray(0, n);
    }
    let valid: Uint8Array | null = null;
    for (const v of vecs) valid = andValid(valid, v.valid, n);
    // Rows that are NULL may hold garbage that trips a check; the general path sorts that out.
    if (k.fn(n, out, ...vecs.map((v) => v.data as Float64Array | Int32Array)) !== 0) return general(c, rc);
    return makeVec(isCmp ? { kind: 'bool' } : rt, outKind, out, valid, isCmp ? 0 : k.scale);
  };
}

// ─── fused filters ─────────────────────────────────────────────────────────

/** The rows of a chunk a predicate is true for, as ascending indexes `sel[0..n)`. */
export type Selector = (c: Chunk, rc: RunCtx) => { sel: Uint32Array; n: number };

type SelectKernel = (n: number, sel: Uint32Array, ...arrays: (Float64Array | Int32Array | Uint8Array | null)[]) => number;

function conjunctsOf(e: Expr, out: Expr[]): Expr[] {
  if (e.kind === 'call' && e.fn === 'and') for (const a of e.args) conjunctsOf(a, out);
  else out.push(e);
  return out;
}

/** A conjunct over one text column: evaluated once per distinct value of a dictionary-encoded batch. */
interface DictConjunct {
  readonly idx: number;
  readonly eval: Evaluator;
  readonly perValue: PerValue;
  /** Pass bytes (NULL's at index values.length) derived from each per-value result. */
  readonly passes: WeakMap<Vec, Uint8Array>;
}

/**
 * An expression over one text column evaluated once per value of a dictionary, then once for
 * NULL (at index `values.length`), cached per dictionary until it grows. Null when the evaluation
 * raises: a value only rows outside the batch hold may fail where the batch's rows would not, so
 * those batches evaluate row by row.
 */
class PerValue {
  private readonly cache = new Map<readonly string[], { size: number; result: Vec } | null>();
  constructor(
    private readonly f: Evaluator,
    private readonly idx: number,
  ) {}
  of(v: Vec, width: number, rc: RunCtx): { size: number; result: Vec } | null {
    const values = v.dict!.values;
    let t = this.cache.get(values);
    if (t === undefined || (t !== null && t.size !== values.length)) {
      const cols: Vec[] = new Array<Vec>(width);
      const vals = [...values, null];
      cols[this.idx] = vecFromValues(v.type, vals);
      try {
        t = { size: values.length, result: this.f({ columns: cols, length: vals.length }, rc) };
      } catch (err) {
        if (!(err instanceof ExecError)) throw err;
        t = null;
      }
      this.cache.set(values, t);
    }
    return t;
  }
}

/** The one text column `e` reads, when it reads exactly one and nothing else varies per row. */
function soleTextColumn(e: Expr, layout: Layout): number | undefined {
  if (isVolatile(e)) return undefined;
  let idx: number | undefined;
  let ok = true;
  const walk = (x: Expr): void => {
    switch (x.kind) {
      case 'column': {
        const i = layout.get(x.id);
        if (i === undefined || x.type.kind !== 'utf8' || (idx !== undefined && idx !== i)) ok = false;
        else idx = i;
        return;
      }
      case 'subquery':
        ok = false;
        return;
      case 'cast':
        return walk(x.expr);
      case 'case':
        for (const w of x.whens) {
          walk(w.when);
          walk(w.then);
        }
        if (x.else) walk(x.else);
        return;
      case 'call':
        for (const a of x.args) walk(a);
        return;
      default:
        return;
    }
  };
  walk(e);
  return ok ? idx : undefined;
}

/**
 * An evaluator for `e`, an expression over one text column (and constants), that evaluates it once
 * per distinct value when the batch's column is dictionary-encoded and spreads the results by the
 * codes: `p_brand = 'Brand#12'` inside an OR costs a comparison per brand, not per row. Other
 * batches, small dictionaries' opposite (more values than rows), and dictionaries holding a value
 * the expression fails on (it may only occur in rows outside this batch) use `general`.
 */
export function dictWise(e: Expr, layout: Layout, general: Evaluator): Evaluator | undefined {
  if (e.kind !== 'call') return undefined;
  const idx = soleTextColumn(e, layout);
  if (idx === undefined) return undefined;
  const perValue = new PerValue(general, idx);
  let at = new Int32Array(0);
  return (c, rc) => {
    const v = c.columns[idx]!;
    const d = v.dict;
    if (d === undefined || d.values.length * 2 > c.length) return general(c, rc);
    const t = perValue.of(v, c.columns.length, rc);
    if (t === null) return general(c, rc);
    const n = c.length;
    if (at.length < n) at = new Int32Array(n);
    const codes = d.codes;
    const valid = v.valid;
    const nullAt = t.size;
    for (let i = 0; i < n; i++) at[i] = valid !== null && valid[i] === 0 ? nullAt : codes[i]!;
    return gather(t.result, at, n);
  };
}

/** Pass bytes of a dictionary conjunct for every value of `v`'s dictionary and NULL (see PerValue). */
function passTable(d: DictConjunct, v: Vec, width: number, rc: RunCtx): Uint8Array | undefined {
  const t = d.perValue.of(v, width, rc);
  if (t === null) return undefined;
  let pass = d.passes.get(t.result);
  if (pass === undefined) {
    const r = t.result;
    const data = r.data as Uint8Array;
    pass = new Uint8Array(r.length);
    for (let i = 0; i < r.length; i++) pass[i] = data[i] === 1 && (r.valid === null || r.valid[i] === 1) ? 1 : 0;
    d.passes.set(r, pass);
  }
  return pass;
}

/**
 * A selector for a filter that can skip the general path for some conjuncts: numeric comparisons
 * run as one generated loop that skips NULL rows and writes the selection directly (no boolean
 * vectors, no scale conversions of whole columns); conjuncts over one dictionary-encoded text
 * column are decided once per distinct value; the other conjuncts are evaluated over the
 * survivors. Batches the loop cannot finish exactly (overflow, NaN) go to `general`. Undefined
 * when no conjunct qualifies.
 */
export function fuseFilter(e: Expr, layout: Layout, general: Selector, compile: (e: Expr) => Evaluator): Selector | undefined {
  const leaves: number[] = [];
  const fused: Expr[] = [];
  const dicts: DictConjunct[] = [];
  const others: Expr[] = [];
  /** Whether a fused conjunct is an AND/OR tree: its rows need every leaf non-NULL (see below). */
  let logic = false;
  for (const part of conjunctsOf(e, [])) {
    const mark = leaves.length;
    if (part.kind === 'call' && CMP[part.fn] !== undefined && shape(part, layout, true, leaves) !== undefined) {
      fused.push(part);
      continue;
    }
    leaves.length = mark;
    if (logicShape(part, layout, leaves)) {
      fused.push(part);
      logic = true;
      continue;
    }
    leaves.length = mark;
    const idx = soleTextColumn(part, layout);
    if (idx !== undefined) {
      const f = compile(part);
      dicts.push({ idx, eval: f, perValue: new PerValue(f, idx), passes: new WeakMap() });
    }
    else others.push(part);
  }
  if (fused.length === 0 && dicts.length === 0) return undefined;
  const rest = others.map(compile);
  const floats = leaves.map((idx) => fused.some((f) => leafIsFloat(f, layout, idx)));
  // Without floats (NaN checks) or division (a divisor an earlier conjunct rules out), every
  // conjunct may run on every row: a row's verdict is then computed rather than branched on, which
  // a selective filter over unsorted data (half its branches mispredicted) runs several times faster.
  const branchless = !floats.some((f) => f) && !fused.some(divides);
  const kernels = new Map<string, SelectKernel>();
  const kernelFor = (vecs: readonly Vec[]): SelectKernel => {
    const key = vecs.map((v) => `${v.scale}${v.valid === null ? '' : 'v'}`).join(',');
    let k = kernels.get(key);
    if (!k) {
      const g: Gen = { lines: [], temps: 0, leafVar: new Map(leaves.map((idx, j) => [idx, `c${j}`])), scales: new Map(leaves.map((idx, j) => [idx, vecs[j]!.scale])), bail: 'return -1;' };
      const params = ['n', 'sel', ...leaves.map((_, j) => `c${j}`), ...leaves.map((_, j) => `v${j}`)];
      if (branchless) {
        // Every conjunct of every row, and/ed into the count: no branch to mispredict.
        const terms = vecs.flatMap((v, j) => (v.valid === null ? [] : [`v${j}[i]`]));
        for (const f of fused) terms.push(emit(f, layout, g).v);
        k = generated(params, `let m = 0;\nfor (let i = 0; i < n; i++) {\n${g.lines.join('\n')}\nsel[m] = i;\nm += ${terms.join(' & ')};\n}\nreturn m;`) as SelectKernel;
      } else {
        vecs.forEach((v, j) => {
          if (v.valid !== null) g.lines.push(`if (v${j}[i] === 0) continue;`);
          if (floats[j]) g.lines.push(`if (c${j}[i] !== c${j}[i]) return -1;`);
        });
        for (const f of fused) g.lines.push(`if (${emit(f, layout, g).v} === 0) continue;`);
        k = generated(params, `let m = 0;\nfor (let i = 0; i < n; i++) {\n${g.lines.join('\n')}\nsel[m++] = i;\n}\nreturn m;`) as SelectKernel;
      }
      kernels.set(key, k);
    }
    return k;
  };
  // The selection buffer is reused batch after batch: a selection is read before the next batch
  // is filtered (consumers gather, mark or aggregate the rows at once), and a fresh 64 KiB typed
  // array per batch costs more in allocation and collection than the loop that fills it.
  let scratch = new Uint32Array(0);
  const buffer = (n: number): Uint32Array => (scratch.length >= n ? scratch : (scratch = new Uint32Array(n)));
  return (c, rc) => {
    let sel: Uint32Array | null = null;
    let n = c.length;
    if (fused.length > 0) {
      const vecs: Vec[] = [];
      for (const idx of leaves) {
        const v = c.columns[idx]!;
        // Skipping NULL rows is right for a comparison (NULL rejects) but not inside OR
        // (NULL OR TRUE is TRUE): AND/OR trees take the general path when a leaf has NULLs.
        if ((v.rep !== 'i32' && v.rep !== 'f64') || (logic && v.valid !== null)) return general(c, rc);
        vecs.push(v);
      }
      sel = buffer(c.length);
      n = kernelFor(vecs)(c.length, sel, ...vecs.map((v) => v.data as Float64Array | Int32Array), ...vecs.map((v) => v.valid));
      if (n < 0) return general(c, rc);
    }
    // Dictionary conjuncts narrow the selection in place; a batch without a dictionary (or whose
    // dictionary cannot be evaluated) leaves the conjunct to the row-by-row pass.
    const late: Evaluator[] = [];
    for (const d of dicts) {
      const v = c.columns[d.idx]!;
      const t = v.dict === undefined || n === 0 ? undefined : passTable(d, v, c.columns.length, rc);
      if (t === undefined) {
        late.push(d.eval);
        continue;
      }
      const codes = v.dict!.codes;
      const valid = v.valid;
      const out = sel ?? buffer(c.length);
      const pass = t;
      const nullAt = v.dict!.values.length;
      let m = 0;
      // Branch-free when there are no NULLs: the pass byte (0 or 1) advances the output.
      if (valid === null && sel === null)
        for (let i = 0; i < n; i++) {
          out[m] = i;
          m += pass[codes[i]!]!;
        }
      else if (valid === null)
        for (let k = 0; k < n; k++) {
          const i = sel![k]!;
          out[m] = i;
          m += pass[codes[i]!]!;
        }
      else
        for (let k = 0; k < n; k++) {
          const i = sel === null ? k : sel[k]!;
          if (pass[valid[i] === 0 ? nullAt : codes[i]!] === 1) out[m++] = i;
        }
      sel = out;
      n = m;
    }
    late.push(...rest);
    if (late.length === 0 || n === 0) return sel === null ? { sel: identity(n), n } : { sel, n };
    // The other conjuncts see only the survivors; their selection maps back through `sel`.
    let sub = sel === null ? c : gatherChunk(c, sel, n);
    let map = sel ?? identity(n);
    let m = n;
    for (const f of late) {
      const r = selectTrue(f(sub, rc));
      if (r.n === m) continue;
      const next = new Uint32Array(r.n);
      for (let i = 0; i < r.n; i++) next[i] = map[r.sel[i]!]!;
      map = next;
      m = r.n;
      if (m === 0) break;
      sub = gatherChunk(sub, r.sel, r.n);
    }
    return { sel: map, n: m };
  };
}

/** Whether `e` divides (or takes a remainder), which may fail on rows another conjunct excludes. */
function divides(e: Expr): boolean {
  if (e.kind === 'call') return e.fn === '/' || e.fn === '%' || e.args.some(divides);
  if (e.kind === 'cast') return divides(e.expr);
  return false;
}

function identity(n: number): Uint32Array {
  const s = new Uint32Array(n);
  for (let i = 0; i < n; i++) s[i] = i;
  return s;
}

/** Whether column `idx` appears in `e` with a float type (its NaNs need the general path). */
function leafIsFloat(e: Expr, layout: Layout, idx: number): boolean {
  switch (e.kind) {
    case 'column':
      return layout.get(e.id) === idx && kindOf(e.type) === 'float';
    case 'cast':
      return leafIsFloat(e.expr, layout, idx);
    case 'call':
      return e.args.some((a) => leafIsFloat(a, layout, idx));
    default:
      return false;
  }
}
