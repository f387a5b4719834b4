// Argument matchers: a command signature compiled once into steps that check an argv and produce a KeyOp.
//
// Matching is deterministic (no backtracking), following how Redis itself reads arguments: required
// arguments in order; a run of keyword-led optional blocks in any order, each at most once; a
// repetition (`key [key ...]`) takes `numkeys` items when a `numkeys` argument precedes it, and
// otherwise as many as leave room for the required arguments after it and do not start a later option.
import type { KeyOp, KeyOpArg } from '../../ir/key-op.ts';
import type { ArgNode } from './ast.ts';

/** A compiled signature element. */
type Step =
  | { readonly t: 'kw'; readonly word: string }
  | { readonly t: 'val'; readonly name: string; readonly multi: boolean }
  | { readonly t: 'rep'; readonly body: readonly Step[]; readonly min: number; readonly counted: boolean }
  | { readonly t: 'opt'; readonly alts: readonly (readonly Step[])[]; readonly words: readonly (string | undefined)[] }
  | { readonly t: 'choice'; readonly alts: readonly (readonly Step[])[]; readonly words: readonly (string | undefined)[] };

/** Why a call did not match; the caller turns it into Redis's error text. */
export type MatchFailure =
  | { readonly kind: 'syntax' }
  | { readonly kind: 'not-integer' }
  | { readonly kind: 'numkeys-not-positive' }
  | { readonly kind: 'numkeys-too-large' }
  /**
   * Two keyword alternatives of one option block were both given (`ZADD key NX XX …`) and the rest
   * matched; `op` is the call with both keywords set. Most commands answer a syntax error, some have
   * their own text, a few accept some pairs (`EXPIRE key 10 XX GT`): the command's owner decides.
   */
  | { readonly kind: 'exclusive'; readonly first: string; readonly second: string; readonly op: KeyOp };

/** A signature compiled for matching. */
export interface Matcher {
  readonly steps: readonly Step[];
  /** Index in argv of the first argument (1, or 2 for a subcommand). */
  readonly start: number;
  /**
   * Set when the signature is only plain values, optionally ending in one repeated group of plain
   * values (`GET key`, `LPUSH key element [element ...]`, `MSET key value [key value ...]`): such a call
   * is matched by position without walking the steps.
   */
  readonly plain: PlainShape | undefined;
  /**
   * The leading plain values when every step after them is optional (`SET key value [NX | XX] …`):
   * a call giving exactly those values is matched by position too.
   */
  readonly bare: PlainShape | undefined;
  /**
   * Leading plain values, keyword-led optional blocks, then a repeated group of plain values
   * (`ZADD key [NX | XX] … score member [score member ...]`): a call whose argument after the leading
   * values is none of the blocks' keywords gives no option, and is matched by position.
   */
  readonly tail: (PlainShape & { readonly words: readonly string[] }) | undefined;
}

function bareShape(steps: readonly Step[]): PlainShape | undefined {
  let i = 0;
  const names: string[] = [];
  while (i < steps.length && steps[i]!.t === 'val' && !(steps[i] as Extract<Step, { t: 'val' }>).multi) names.push((steps[i++] as Extract<Step, { t: 'val' }>).name);
  for (; i < steps.length; i++) {
    const s = steps[i]!;
    if (!(s.t === 'opt' || (s.t === 'rep' && s.min === 0))) return undefined;
  }
  return { fixed: names, repeated: [], min: 0 };
}

function tailShape(steps: readonly Step[]): Matcher['tail'] {
  let i = 0;
  while (i < steps.length && steps[i]!.t === 'val' && !(steps[i] as Extract<Step, { t: 'val' }>).multi) i++;
  const words: string[] = [];
  let j = i;
  for (; j < steps.length && steps[j]!.t === 'opt'; j++) {
    for (const w of (steps[j] as Extract<Step, { t: 'opt' }>).words) {
      if (w === undefined) return undefined;
      words.push(w);
    }
  }
  if (j === i || j !== steps.length - 1) return undefined;
  const shape = plainShape([...steps.slice(0, i), steps[j]!]);
  return shape && shape.repeated.length > 0 ? { ...shape, words } : undefined;
}

/** A plain signature: names of the fixed values, then of the repeated group's values. */
interface PlainShape {
  readonly fixed: readonly string[];
  readonly repeated: readonly string[];
  /** Least number of repetitions of the group (0 or 1). */
  readonly min: number;
}

function plainShape(steps: readonly Step[]): PlainShape | undefined {
  const fixed: string[] = [];
  let repeated: string[] = [];
  let min = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (s.t === 'val' && !s.multi && repeated.length === 0) fixed.push(s.name);
    else if (s.t === 'rep' && !s.counted && i === steps.length - 1 && s.body.every((b) => b.t === 'val')) {
      repeated = s.body.map((b) => (b as Extract<Step, { t: 'val' }>).name);
      min = s.min;
    } else return undefined;
  }
  const names = [...fixed, ...repeated];
  if (new Set(names).size !== names.length) return undefined;
  return { fixed, repeated, min };
}

function sameNodes(a: readonly ArgNode[], b: readonly ArgNode[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** k when nodes[i..i+k) are followed by `[same ...]`, else 0. */
function repeatedWidth(nodes: readonly ArgNode[], i: number): number {
  for (let k = 1; i + k < nodes.length; k++) {
    const r = nodes[i + k]!;
    if (r.kind === 'optional' && r.repeat && r.alternatives.length === 1 && r.alternatives[0]!.length === k && sameNodes(nodes.slice(i, i + k), r.alternatives[0]!)) return k;
  }
  return 0;
}

function firstWord(steps: readonly Step[]): string | undefined {
  const s = steps[0];
  return s?.t === 'kw' ? s.word : undefined;
}

/** Compiles a signature; `x [x ...]` becomes one repetition of at least one. */
export function compileMatcher(args: readonly ArgNode[], start: number): Matcher {
  const steps = compileSeq(args, false);
  return { steps, start, plain: plainShape(steps), bare: bareShape(steps), tail: tailShape(steps) };
}

function compileSeq(nodes: readonly ArgNode[], multi: boolean): Step[] {
  const out: Step[] = [];
  const src = [...nodes];
  for (let i = 0; i < src.length; i++) {
    const n = src[i]!;
    // `body [body ...]`: the repeated body follows its first occurrence.
    const k = repeatedWidth(src, i);
    if (k > 0) {
      const prev = out[out.length - 1];
      const counted = prev?.t === 'val' && prev.name === 'numkeys';
      out.push({ t: 'rep', body: compileSeq(src.slice(i, i + k), true), min: 1, counted });
      i += k;
      continue;
    }
    out.push(compileNode(n, multi));
  }
  return out;
}

function compileNode(n: ArgNode, multi: boolean): Step {
  switch (n.kind) {
    case 'keyword':
      return { t: 'kw', word: n.word };
    case 'value':
      return { t: 'val', name: n.name, multi };
    case 'optional': {
      if (n.repeat) return { t: 'rep', body: compileSeq(n.alternatives[0] ?? [], true), min: 0, counted: false };
      const alts = n.alternatives.map((a) => compileSeq(a, multi));
      return { t: 'opt', alts, words: alts.map(firstWord) };
    }
    case 'choice': {
      const alts = n.alternatives.map((a) => compileSeq(a, multi));
      return { t: 'choice', alts, words: alts.map(firstWord) };
    }
  }
}

/** ASCII case-insensitive comparison of an argument with an upper-case keyword. */
export function isKeyword(arg: string, word: string): boolean {
  if (arg.length !== word.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let c = arg.charCodeAt(i);
    if (c >= 97 && c <= 122) c -= 32;
    if (c !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** How many arguments the steps need at least. */
function minArgs(steps: readonly Step[], from: number): number {
  let n = 0;
  for (let i = from; i < steps.length; i++) {
    const s = steps[i]!;
    if (s.t === 'kw' || s.t === 'val') n++;
    else if (s.t === 'rep') n += s.min * minArgs(s.body, 0);
    else if (s.t === 'choice') n += Math.min(...s.alts.map((a) => minArgs(a, 0)));
  }
  return n;
}

/** Keywords that start an optional block after position `from`: a repetition stops before them. */
function stopWords(steps: readonly Step[], from: number): string[] {
  const words: string[] = [];
  for (let i = from; i < steps.length; i++) {
    const s = steps[i]!;
    if (s.t === 'opt' || s.t === 'choice') for (const w of s.words) if (w) words.push(w);
  }
  return words;
}

function startsOption(arg: string, words: readonly string[]): boolean {
  for (const w of words) if (isKeyword(arg, w)) return true;
  return false;
}

class Failure {
  constructor(readonly failure: MatchFailure) {}
}

interface Out {
  args: Record<string, KeyOpArg>;
  choices: string[];
  /** The first pair of exclusive keywords seen; reported only when the rest of the call matches. */
  conflict: [string, string] | undefined;
}

function put(out: Out, name: string, value: string, multi: boolean): void {
  if (!multi) {
    out.args[name] = value;
    return;
  }
  const prev = out.args[name];
  if (Array.isArray(prev)) (prev as string[]).push(value);
  else out.args[name] = [value];
}

// Precomputed per step list: minimum tail lengths and stop words, cached on first use.
const tails = new WeakMap<readonly Step[], { min: number[]; stops: string[][] }>();
function tailInfo(steps: readonly Step[]): { min: number[]; stops: string[][] } {
  let t = tails.get(steps);
  if (!t) {
    t = { min: steps.map((_, i) => minArgs(steps, i + 1)), stops: steps.map((_, i) => stopWords(steps, i + 1)) };
    tails.set(steps, t);
  }
  return t;
}

function matchSeq(steps: readonly Step[], argv: readonly string[], pos: number, end: number, out: Out, outer: readonly string[]): number {
  const info = tailInfo(steps);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    switch (s.t) {
      case 'kw':
        if (pos >= end || !isKeyword(argv[pos]!, s.word)) throw new Failure({ kind: 'syntax' });
        out.args[s.word] = true;
        pos++;
        break;
      case 'val':
        if (pos >= end) throw new Failure({ kind: 'syntax' });
        put(out, s.name, argv[pos]!, s.multi);
        pos++;
        break;
      case 'rep': {
        const room = end - info.min[i]!;
        if (s.counted) {
          const raw = out.args['numkeys'];
          const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
          if (!Number.isSafeInteger(n)) throw new Failure({ kind: 'not-integer' });
          if (n <= 0) throw new Failure({ kind: 'numkeys-not-positive' });
          if (pos + n * s.body.length > room) throw new Failure({ kind: 'numkeys-too-large' });
          for (let k = 0; k < n; k++) pos = matchSeq(s.body, argv, pos, end, out, outer);
          break;
        }
        const width = minArgs(s.body, 0) || 1;
        const stops = info.stops[i]!;
        let count = 0;
        while (pos + width <= room && !(count >= s.min && (startsOption(argv[pos]!, stops) || startsOption(argv[pos]!, outer)))) {
          pos = matchSeq(s.body, argv, pos, end, out, outer);
          count++;
        }
        if (count < s.min) throw new Failure({ kind: 'syntax' });
        break;
      }
      case 'opt': {
        // A run of optional blocks: any order, each at most once.
        let j = i;
        while (j < steps.length && steps[j]!.t === 'opt') j++;
        // Per block, 1 + the alternative taken (0: not yet).
        const used = new Uint8Array(j - i);
        const stops = info.stops[j - 1]!;
        for (;;) {
          if (pos >= end) break;
          let hit = -1;
          let alt = -1;
          for (let k = i; k < j && hit < 0; k++) {
            const o = steps[k] as Extract<Step, { t: 'opt' }>;
            for (let a = 0; a < o.alts.length; a++) {
              const w = o.words[a];
              if (w !== undefined ? isKeyword(argv[pos]!, w) : pos < end - info.min[j - 1]! && !startsOption(argv[pos]!, stops) && !used[k - i] && !keywordOf(steps, i, j, argv[pos]!)) {
                hit = k;
                alt = a;
                break;
              }
            }
          }
          if (hit < 0) break;
          const prior = used[hit - i]!;
          if (prior !== 0) {
            const o = steps[hit] as Extract<Step, { t: 'opt' }>;
            const first = o.words[prior - 1];
            const second = o.words[alt];
            // Only lone keywords may repeat or clash (as Redis's flag loops allow); a repeated option with a value is a syntax error.
            if (first === undefined || second === undefined || o.alts[alt]!.length !== 1 || o.alts[prior - 1]!.length !== 1) throw new Failure({ kind: 'syntax' });
            if (prior - 1 !== alt) out.conflict ??= [first, second];
          }
          used[hit - i] = alt + 1;
          pos = matchSeq((steps[hit] as Extract<Step, { t: 'opt' }>).alts[alt]!, argv, pos, end, out, runWords(steps, i, outer));
        }
        i = j - 1;
        break;
      }
      case 'choice': {
        if (pos >= end) throw new Failure({ kind: 'syntax' });
        const a = s.words.findIndex((w) => w !== undefined && isKeyword(argv[pos]!, w));
        if (a < 0) throw new Failure({ kind: 'syntax' });
        out.choices.push(s.words[a]!);
        pos = matchSeq(s.alts[a]!, argv, pos, end, out, outer);
        break;
      }
    }
  }
  return pos;
}

const NO_WORDS: readonly string[] = [];
const runCache = new WeakMap<Step, readonly string[]>();

/** The keywords of an option run plus those an enclosing sequence stops at: a repetition inside an option stops there. */
function runWords(steps: readonly Step[], from: number, outer: readonly string[]): readonly string[] {
  if (outer.length === 0) {
    const hit = runCache.get(steps[from]!);
    if (hit) return hit;
  }
  const words = [...outer, ...stopWords(steps, from)].filter((w, k, all) => all.indexOf(w) === k);
  if (outer.length === 0) runCache.set(steps[from]!, words);
  return words;
}

function keywordOf(steps: readonly Step[], from: number, to: number, arg: string): boolean {
  for (let k = from; k < to; k++) {
    const o = steps[k] as Extract<Step, { t: 'opt' }>;
    for (const w of o.words) if (w !== undefined && isKeyword(arg, w)) return true;
  }
  return false;
}

/**
 * Matches argv (arity already checked) against a compiled signature. `spare` is a KeyOp an earlier
 * call returned that nothing holds any more: a call matched by position is returned in it.
 */
export function runMatcher(m: Matcher, command: string, argv: readonly string[], spare?: KeyOp): KeyOp | MatchFailure {
  if (m.plain) return matchPlain(m.plain, m.start, command, argv, spare);
  if (m.bare && argv.length - m.start === m.bare.fixed.length) return matchPlain(m.bare, m.start, command, argv, spare);
  const tail = m.tail;
  if (tail && argv.length > m.start + tail.fixed.length && !startsOption(argv[m.start + tail.fixed.length]!, tail.words)) return matchPlain(tail, m.start, command, argv, spare);
  const out: Out = { args: {}, choices: [], conflict: undefined };
  try {
    const pos = matchSeq(m.steps, argv, m.start, argv.length, out, NO_WORDS);
    if (pos !== argv.length) return { kind: 'syntax' };
  } catch (e) {
    if (e instanceof Failure) return e.failure;
    throw e;
  }
  const op: KeyOp = { kind: 'key-op', command, argv, args: out.args, choices: out.choices };
  if (out.conflict) return { kind: 'exclusive', first: out.conflict[0], second: out.conflict[1], op };
  return op;
}

/** Matches a plain signature by position (the hot path: GET, SET without options, LPUSH, HSET, MSET …). */
function matchPlain(p: PlainShape, start: number, command: string, argv: readonly string[], spare: KeyOp | undefined): KeyOp | MatchFailure {
  const rest = argv.length - start - p.fixed.length;
  if (rest < 0) return { kind: 'syntax' };
  const width = p.repeated.length;
  if (width > 0 ? rest % width !== 0 || rest / width < p.min : rest !== 0) return { kind: 'syntax' };
  if (spare instanceof PositionalOp) return spare.reset(command, argv, p, start);
  return new PositionalOp(command, argv, p, start);
}

const NO_CHOICES: readonly string[] = [];

/**
 * A call matched by position. Its named arguments are built on first use: the handlers of the
 * frequent commands read `argv` by position, so most requests never pay for the record.
 */
class PositionalOp implements KeyOp {
  // Assigned in the constructor rather than declared as fields: a field is defined on every instance
  // by a slower path, and this object is made once per request (or reset, see `reset`).
  declare command: string;
  declare argv: readonly string[];
  declare private shape: PlainShape;
  declare private start: number;
  declare private named: Record<string, KeyOpArg> | undefined;

  constructor(command: string, argv: readonly string[], shape: PlainShape, start: number) {
    this.command = command;
    this.argv = argv;
    this.shape = shape;
    this.start = start;
    this.named = undefined;
  }

  /**
   * This object as the op of another call. Only for an op its receiver has finished with: a request's
   * op then costs no allocation (see runMatcher's `spare`).
   */
  reset(command: string, argv: readonly string[], shape: PlainShape, start: number): this {
    this.command = command;
    this.argv = argv;
    this.shape = shape;
    this.start = start;
    this.named = undefined;
    return this;
  }

  get kind(): 'key-op' {
    return 'key-op';
  }

  get choices(): readonly string[] {
    return NO_CHOICES;
  }

  get args(): Readonly<Record<string, KeyOpArg>> {
    return (this.named ??= namedArgs(this.shape, this.start, this.argv));
  }
}

/**
 * Whether the call gave the keyword `word` (`NX`, `WITHSCORES`). A call matched by position gave
 * none, and is answered without building its named arguments.
 */
export function hasKeyword(op: KeyOp, word: string): boolean {
  return !(op instanceof PositionalOp) && op.args[word] === true;
}

/** The named arguments of a call that matched a plain shape. */
function namedArgs(p: PlainShape, start: number, argv: readonly string[]): Record<string, KeyOpArg> {
  const args: Record<string, KeyOpArg> = {};
  const fixed = p.fixed;
  let pos = start;
  for (let i = 0; i < fixed.length; i++) args[fixed[i]!] = argv[pos++]!;
  const width = p.repeated.length;
  const rest = argv.length - pos;
  // As in the stepwise matcher, a repetition that took nothing leaves its names unset.
  for (let k = 0; k < width && rest > 0; k++) {
    const items = new Array<string>(rest / width);
    for (let j = 0; j < items.length; j++) items[j] = argv[pos + j * width + k]!;
    args[p.repeated[k]!] = items;
  }
  return args;
}
