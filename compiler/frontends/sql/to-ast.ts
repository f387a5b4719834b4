// The Ohm boundary of the SQL front end: builds the grammar once and turns a successful match into the AST.
//
// This is the only file that touches Ohm (and the only one allowed `any`, for Ohm's untyped CST nodes).
// The grammar matches a prepared copy of the statement (split.ts `grammarText`, see sql.ohm); string and
// quoted identifier values are read back from the original text through node offsets.

/* eslint-disable @typescript-eslint/no-explicit-any */
import { type EscapeRules, unescapeBackslashes } from './escapes.ts';
import * as ohm from 'ohm-js';
import type { Span } from '../../diagnostics/index.ts';
import type * as A from './ast.ts';
import { POSTGRES_RECIPE } from './sql-grammar.ts';
import { grammarText } from './split.ts';

// Built once from the precompiled recipe of sql.ohm (sql-grammar.ts): compiling the grammar text itself
// takes hundreds of milliseconds, the recipe a few.
// (`makeRecipe` is exported by ohm-js but missing from its type declarations.)
const postgresGrammar: ohm.Grammar = (ohm as any).makeRecipe(JSON.parse(POSTGRES_RECIPE));

// Per-conversion state: conversion is synchronous, so module-level fields are safe and avoid closures.
let base = 0;
let original = '';
/** The text the grammar matched (`grammarText`): what `sourceString` reads. */
let input = '';

/**
 * A node of Ohm's concrete syntax tree as the actions below see it: the part of Ohm's semantics-wrapper
 * API they use, over the raw tree of a match. Ohm's own wrappers build an interval object per child and
 * a dispatch frame per action, which cost a quarter of parsing; this walks the same tree with the same
 * action table (which Ohm still checks against the grammar when this module loads, after the table).
 */
class Cst {
  /** `start`: the node's offset in the matched text; `rel`: that of the nonterminal its child offsets count from. */
  constructor(
    private readonly node: any,
    private readonly start: number,
    private readonly rel: number,
  ) {}

  /** Ohm's `source` interval; the node serves as its own, which saves an object per span. */
  get source(): Cst {
    return this;
  }

  get startIdx(): number {
    return this.start;
  }

  get endIdx(): number {
    return this.start + this.node.matchLength;
  }

  get sourceString(): string {
    return input.slice(this.start, this.start + this.node.matchLength);
  }

  get ctorName(): string {
    return this.node.ctorName;
  }

  get numChildren(): number {
    return this.node.children ? this.node.children.length : 0;
  }

  child(i: number): Cst {
    const c = this.node.children[i];
    const start = this.rel + this.node.childOffsets[i];
    // Offsets inside an iteration node count from the nonterminal around it, as in Ohm.
    return new Cst(c, start, c.isNonterminal() ? start : this.rel);
  }

  get children(): Cst[] {
    const n = this.numChildren;
    const out = new Array<Cst>(n);
    for (let i = 0; i < n; i++) out[i] = this.child(i);
    return out;
  }

  /** The elements of a `ListOf`/`NonemptyListOf`/`EmptyListOf` node, as Ohm's built-in `asIteration`. */
  asIteration(): { children: Cst[] } {
    switch (this.node.ctorName) {
      case 'ListOf':
        return this.child(0).asIteration();
      case 'NonemptyListOf':
        return { children: [this.child(0), ...this.child(2).children] };
      default:
        return { children: [] };
    }
  }

  /** The node's action, or (as Ohm does) its only child's for a nonterminal without one. */
  ast(): any {
    const action = actions[this.node.ctorName];
    if (action) return action.apply(this, this.children);
    if (this.node.isNonterminal() && this.numChildren === 1) return this.child(0).ast();
    throw new Error(`no AST action for ${this.node.ctorName}`);
  }
}

function span(node: any): Span {
  const src = node.source;
  return { start: base + src.startIdx, end: base + src.endIdx };
}

function raw(node: any): string {
  const src = node.source;
  return original.slice(src.startIdx, src.endIdx);
}

function opt(node: any): any {
  return node.numChildren === 0 ? undefined : node.child(0).ast();
}

function has(node: any): boolean {
  return node.numChildren > 0;
}

function list(node: any): any[] {
  const items = node.asIteration().children;
  const out = new Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = items[i].ast();
  return out;
}

function many(node: any): any[] {
  const n = node.numChildren;
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = node.child(i).ast();
  return out;
}

/** The words of a keyword phrase, single-spaced (the match text is already lower case). */
function words(node: any): string {
  return node.sourceString.toLowerCase().trim().split(/\s+/).join(' ');
}

function ident(name: string, quoted: boolean, s: Span): A.Ident {
  return { kind: 'ident', name, quoted, span: s };
}

function qname1(name: string, s: Span): A.QName {
  return { kind: 'qname', parts: [ident(name, false, s)], span: s };
}

function call(name: A.QName, args: A.Expr[], s: Span): A.FuncCallExpr {
  return { kind: 'func-call', name, args, star: false, distinct: false, orderBy: [], filter: undefined, over: undefined, span: s };
}

function numberValue(text: string): A.LiteralValue {
  if (text.includes('e')) return { kind: 'float', text };
  if (text.includes('.')) return { kind: 'decimal', text };
  return { kind: 'integer', text };
}

/** Decodes the body of an `E'…'` string (PostgreSQL's backslash escapes). */
/** Escape string constants: doubled quotes and Unicode escapes, no \\v (PostgreSQL's E'…'). */
const E_STRING: EscapeRules = { doubledQuote: true, unicode: true, verticalTab: false };

function stringLiteral(node: any): A.LiteralExpr {
  return { kind: 'literal', value: node.ast(), span: span(node) };
}

function stringValue(node: any): string {
  return (node.ast() as { value: string }).value;
}

const referential: Record<string, A.ReferentialAction> = {
  RefActionKind_cascade: 'cascade',
  RefActionKind_restrict: 'restrict',
  RefActionKind_noAction: 'no action',
  RefActionKind_setNull: 'set null',
  RefActionKind_setDefault: 'set default',
};

function refActions(node: any): { onDelete?: A.ReferentialAction; onUpdate?: A.ReferentialAction } {
  const out: { onDelete?: A.ReferentialAction; onUpdate?: A.ReferentialAction } = {};
  for (const a of node.children) {
    const which = a.child(1).sourceString.toLowerCase();
    const action = referential[a.child(2).child(0).ctorName]!;
    if (which === 'delete') out.onDelete = action;
    else out.onUpdate = action;
  }
  return out;
}

function boolOption(node: any): boolean {
  if (!has(node)) return true;
  const v = node.sourceString.toLowerCase();
  return v === 'true' || v === 'on' || v === '1';
}

// ─── Expression grouping ──────────────────────────────────────────────────────
//
// The grammar matches an expression as a flat run of prefix operators, operands and infix/postfix tails;
// this groups them by precedence (a Pratt parser over the CST items). Levels, lowest first, follow
// PostgreSQL's table; format.ts prints with the same numbers.

const OR = 1;
const AND = 2;
const NOT = 3;
const IS = 4;
const CMP = 5;
const PRED = 6;
const OTHER = 7;
const ADD = 8;
const MUL = 9;
const POW = 10;
const UNARY = 11;

const BINARY_LEVEL: Record<string, number> = {
  or: OR, and: AND,
  '=': CMP, '<>': CMP, '!=': CMP, '<': CMP, '<=': CMP, '>': CMP, '>=': CMP,
  '+': ADD, '-': ADD, '*': MUL, '/': MUL, '%': MUL, '^': POW,
};

type Item =
  | { readonly t: 'prefix'; readonly op: A.UnaryOp; readonly start: number }
  | { readonly t: 'operand'; readonly expr: A.Expr; readonly start: number; readonly end: number }
  | { readonly t: 'binary'; readonly op: A.BinaryOp; readonly level: number; readonly pos: number; readonly distinct?: boolean; readonly negated?: boolean }
  | { readonly t: 'postfix'; readonly level: number; readonly pos: number; readonly end: number; readonly apply: (left: A.Expr, s: Span) => A.Expr };

/** Raised for what the flat grammar accepts but PostgreSQL rejects (`a = b = c`); parse.ts reports it. */
class NonAssociative {
  constructor(readonly pos: number) {}
}

function pushOperand(items: Item[], prefixes: any, operand: any): void {
  for (const p of prefixes.children) {
    const op = p.sourceString.toLowerCase() as A.UnaryOp;
    items.push({ t: 'prefix', op, start: base + p.source.startIdx });
  }
  // Operand ranges include any parentheses, which the operand's own span leaves out.
  items.push({ t: 'operand', expr: operand.ast(), start: base + operand.source.startIdx, end: base + operand.source.endIdx });
}

function binaryItem(opNode: any): Item {
  const text = opNode.sourceString.toLowerCase();
  // `OPERATOR(pg_catalog.~)` names the operator `~`.
  const op = (text.startsWith('operator') ? /([^\s.(]+)\s*\)$/.exec(text)![1]! : text) as A.BinaryOp;
  return { t: 'binary', op, level: BINARY_LEVEL[op] ?? OTHER, pos: opNode.source.startIdx };
}

function postfix(level: number, node: any, apply: (left: A.Expr, s: Span) => A.Expr): Item {
  return { t: 'postfix', level, pos: node.source.startIdx, end: base + node.source.endIdx, apply };
}

function pushTail(items: Item[], tail: any): void {
  const alt = tail.child(0);
  switch (alt.ctorName) {
    case 'ExprTailBody_binary':
      // Children: operator, prefix guards, prefixes, operand.
      items.push(binaryItem(alt.child(0)));
      pushOperand(items, alt.child(2), alt.child(3));
      return;
    case 'ExprTailBody_is': {
      const negated = has(alt.child(1));
      const rest = alt.child(2).child(0);
      if (rest.ctorName === 'IsRest_distinct') {
        items.push({ t: 'binary', op: '=', level: IS, pos: alt.source.startIdx, distinct: true, negated });
        pushOperand(items, rest.child(3), rest.child(4));
        return;
      }
      const kind = rest.sourceString.toLowerCase() as 'null' | 'true' | 'false' | 'unknown';
      items.push(postfix(IS, alt, (expr, s) => ({ kind: 'is', expr, negated, test: { kind }, span: s })));
      return;
    }
    case 'ExprTailBody_isnull':
    case 'ExprTailBody_notnull': {
      const negated = alt.ctorName === 'ExprTailBody_notnull';
      items.push(postfix(IS, alt, (expr, s) => ({ kind: 'is', expr, negated, test: { kind: 'null' }, span: s })));
      return;
    }
    case 'ExprTailBody_quantQuery':
    case 'ExprTailBody_quantExpr': {
      const op = alt.child(0).sourceString as A.BinaryOp;
      const quantifier = alt.child(1).sourceString.toLowerCase() === 'all' ? 'all' : 'any';
      const inner = alt.child(3).ast();
      const source: A.QuantifiedExpr['source'] =
        alt.ctorName === 'ExprTailBody_quantQuery' ? { kind: 'query', query: inner } : { kind: 'expr', expr: inner };
      items.push(postfix(CMP, alt, (expr, s) => ({ kind: 'quantified', op, quantifier, expr, source, span: s })));
      return;
    }
    default:
      pushPredicate(items, alt, has(alt.child(0)), alt.child(1).child(0));
  }
}

/** `[NOT] BETWEEN | IN | LIKE …`: postfix at the BETWEEN/IN/LIKE level. */
function pushPredicate(items: Item[], node: any, negated: boolean, p: any): void {
  switch (p.ctorName) {
    case 'PredTail_between': {
      const symmetric = has(p.child(1)) && p.child(1).sourceString.toLowerCase() === 'symmetric';
      const low = p.child(2).ast();
      const high = p.child(4).ast();
      items.push(postfix(PRED, node, (expr, s) => ({ kind: 'between', expr, low, high, negated, symmetric, span: s })));
      return;
    }
    case 'PredTail_inQuery': {
      const query = p.child(2).ast();
      items.push(postfix(PRED, node, (expr, s) => ({ kind: 'in-subquery', expr, query, negated, span: s })));
      return;
    }
    case 'PredTail_inList': {
      const l = list(p.child(2));
      items.push(postfix(PRED, node, (expr, s) => ({ kind: 'in-list', expr, list: l, negated, span: s })));
      return;
    }
    default: {
      const caseInsensitive = p.child(0).sourceString.toLowerCase() === 'ilike';
      const pattern = p.child(1).ast();
      const escape = opt(p.child(2));
      items.push(postfix(PRED, node, (expr, s) => ({ kind: 'like', expr, pattern, escape, caseInsensitive, negated, span: s })));
    }
  }
}

interface Grouped {
  readonly expr: A.Expr;
  readonly start: number;
  readonly end: number;
}

/** Groups a flat item run by precedence; comparisons and BETWEEN/IN/LIKE do not associate. */
function groupItems(items: Item[]): A.Expr {
  let i = 0;
  const operand = (): Grouped => {
    const it = items[i++]!;
    if (it.t === 'operand') return it;
    if (it.t !== 'prefix') throw new Error('operand expected');
    const inner = expression(it.op === 'not' ? NOT : UNARY);
    const span = { start: it.start, end: inner.end };
    return { expr: { kind: 'unary', op: it.op, operand: inner.expr, span }, start: it.start, end: inner.end };
  };
  const expression = (min: number): Grouped => {
    const first = operand();
    let left = first.expr;
    const start = first.start;
    let end = first.end;
    let leftLevel = 0;
    while (i < items.length) {
      const it = items[i]!;
      if (it.t !== 'binary' && it.t !== 'postfix') break;
      if (it.level < min) break;
      if ((it.level === CMP || it.level === PRED) && leftLevel === it.level) throw new NonAssociative(it.pos);
      i++;
      if (it.t === 'postfix') {
        end = it.end;
        left = it.apply(left, { start, end });
      } else {
        const right = expression(it.level + 1);
        end = right.end;
        const span = { start, end };
        left = it.distinct
          ? { kind: 'is', expr: left, negated: it.negated ?? false, test: { kind: 'distinct-from', other: right.expr }, span }
          : { kind: 'binary', op: it.op, left, right: right.expr, span };
      }
      leftLevel = it.level;
    }
    return { expr: left, start, end };
  };
  return expression(OR).expr;
}

interface LimitInfo {
  limit: A.Expr | undefined;
  fetch: boolean;
}

/** CST → AST, one action per rule (or case) whose node is converted; `this` is the node itself. */
const actions: Record<string, (this: Cst, ...children: any[]) => any> = {
  Program(stmt: any, _semi: any) {
    return stmt.ast();
  },
  Statement(s: any): A.Statement {
    const r = s.ast() as A.Statement | A.Query;
    return r.kind === 'query' ? { kind: 'query-statement', query: r, span: r.span } : r;
  },

  // ─── Queries ──────────────────────────────────────────────────────────────
  Query(w: any, body: any, order: any, limit: any): A.Query {
    const lp = opt(limit) as { limit?: A.Expr; offset?: A.Expr; fetch: boolean } | undefined;
    return {
      kind: 'query',
      with: opt(w),
      body: body.ast(),
      orderBy: has(order) ? order.child(0).ast() : [],
      limit: lp?.limit,
      offset: lp?.offset,
      fetch: lp?.fetch ?? false,
      span: span(this),
    };
  },
  WithClause(_with: any, recursive: any, ctes: any): A.WithClause {
    return { kind: 'with', recursive: has(recursive), ctes: list(ctes), span: span(this) };
  },
  Cte(name: any, cols: any, _as: any, mat: any, _o: any, q: any, _c: any): A.Cte {
    return {
      kind: 'cte',
      name: name.ast(),
      columns: has(cols) ? cols.child(0).ast() : [],
      materialized: has(mat) ? !has(mat.child(0).child(0)) : undefined,
      query: q.ast(),
      span: span(this),
    };
  },
  ColumnList(_o: any, ids: any, _c: any) {
    return list(ids);
  },
  SetExpr(first: any, rest: any) {
    let acc = first.ast() as A.QueryBody;
    const start = base + first.source.startIdx;
    for (const r of rest.children) {
      acc = {
        kind: 'set-op',
        op: r.child(0).sourceString.toLowerCase() as 'union' | 'except',
        all: has(r.child(1)) && r.child(1).sourceString.toLowerCase() === 'all',
        left: acc,
        right: r.child(2).ast(),
        span: { start, end: base + r.source.endIdx },
      };
    }
    return acc;
  },
  SetTerm(first: any, rest: any) {
    let acc = first.ast() as A.QueryBody;
    const start = base + first.source.startIdx;
    for (const r of rest.children) {
      acc = {
        kind: 'set-op',
        op: 'intersect',
        all: has(r.child(1)) && r.child(1).sourceString.toLowerCase() === 'all',
        left: acc,
        right: r.child(2).ast(),
        span: { start, end: base + r.source.endIdx },
      };
    }
    return acc;
  },
  SetPrimary_paren(_o: any, q: any, _c: any) {
    return q.ast();
  },
  ValuesBody(_v: any, rows: any): A.ValuesBody {
    return { kind: 'values', rows: list(rows), span: span(this) };
  },
  ValuesRow(_o: any, exprs: any, _c: any) {
    return list(exprs);
  },
  OrderByClause(_o: any, _b: any, items: any) {
    return list(items);
  },
  OrderItem(e: any, dir: any, nulls: any): A.OrderItem {
    return {
      kind: 'order-item',
      expr: e.ast(),
      direction: has(dir) ? (dir.sourceString.toLowerCase() as 'asc' | 'desc') : undefined,
      nulls: has(nulls) ? (nulls.child(0).child(1).sourceString.toLowerCase() as 'first' | 'last') : undefined,
      span: span(this),
    };
  },
  LimitPart_limit(limit: any, offset: any) {
    const l = limit.ast() as LimitInfo;
    return { limit: l.limit, offset: opt(offset), fetch: false };
  },
  LimitPart_offset(offset: any, rest: any) {
    const l = opt(rest) as LimitInfo | undefined;
    return { limit: l?.limit, offset: offset.ast(), fetch: l?.fetch ?? false };
  },
  LimitPart_fetch(fetch: any) {
    const l = fetch.ast() as LimitInfo;
    return { limit: l.limit, offset: undefined, fetch: true };
  },
  LimitClause_all(_l: any, _a: any): LimitInfo {
    return { limit: undefined, fetch: false };
  },
  LimitClause_expr(_l: any, e: any): LimitInfo {
    return { limit: e.ast(), fetch: false };
  },
  OffsetClause(_o: any, e: any, _rows: any) {
    return e.ast();
  },
  FetchClause(_f: any, _first: any, count: any, _rows: any, _only: any): LimitInfo {
    const limit: A.Expr = has(count)
      ? count.child(0).ast()
      : { kind: 'literal', value: { kind: 'integer', text: '1' }, span: span(this) };
    return { limit, fetch: true };
  },
  SelectCore(_s: any, distinct: any, items: any, from: any, where: any, group: any, having: any, windows: any): A.Select {
    const d = opt(distinct) as { distinct: boolean; on: A.Expr[] } | undefined;
    return {
      kind: 'select',
      distinct: d?.distinct ?? false,
      distinctOn: d?.on ?? [],
      items: list(items),
      from: has(from) ? from.child(0).ast() : [],
      where: opt(where),
      groupBy: has(group) ? group.child(0).ast() : [],
      having: opt(having),
      windows: has(windows) ? windows.child(0).ast() : [],
      span: span(this),
    };
  },
  DistinctClause_on(_d: any, _on: any, _o: any, exprs: any, _c: any) {
    return { distinct: true, on: list(exprs) };
  },
  DistinctClause_distinct(_d: any) {
    return { distinct: true, on: [] };
  },
  DistinctClause_all(_a: any) {
    return { distinct: false, on: [] };
  },
  SelectItem_star(star: any): A.SelectItem {
    const s = span(this);
    return { kind: 'select-item', expr: { kind: 'star', table: undefined, span: span(star) }, alias: undefined, span: s };
  },
  SelectItem_expr(e: any, alias: any): A.SelectItem {
    return { kind: 'select-item', expr: e.ast(), alias: opt(alias), span: span(this) };
  },
  AliasLabel_as(_as: any, label: any) {
    return label.ast();
  },
  FromClause(_f: any, items: any) {
    return list(items);
  },
  FromItem(first: any, _guards: any, joins: any) {
    let acc = first.ast() as A.FromItem;
    const start = base + first.source.startIdx;
    for (const j of joins.children) {
      const alt = j.child(0);
      const s: Span = { start, end: base + j.source.endIdx };
      switch (alt.ctorName) {
        case 'JoinClause_cross':
          acc = { kind: 'join', joinType: 'cross', natural: false, left: acc, right: alt.child(2).ast(), on: undefined, using: [], span: s };
          break;
        case 'JoinClause_natural':
          acc = {
            kind: 'join',
            joinType: has(alt.child(1)) ? alt.child(1).child(0).ast() : 'inner',
            natural: true,
            left: acc,
            right: alt.child(3).ast(),
            on: undefined,
            using: [],
            span: s,
          };
          break;
        default: {
          const c = alt.child(3).ast() as { on?: A.Expr; using: A.Ident[] };
          acc = {
            kind: 'join',
            joinType: has(alt.child(0)) ? alt.child(0).child(0).ast() : 'inner',
            natural: false,
            left: acc,
            right: alt.child(2).ast(),
            on: c.on,
            using: c.using,
            span: s,
          };
        }
      }
    }
    return acc;
  },
  JoinType_inner(_i: any) {
    return 'inner';
  },
  JoinType_left(_l: any, _o: any) {
    return 'left';
  },
  JoinType_right(_r: any, _o: any) {
    return 'right';
  },
  JoinType_full(_f: any, _o: any) {
    return 'full';
  },
  JoinCond_on(_on: any, e: any) {
    return { on: e.ast(), using: [] };
  },
  JoinCond_using(_u: any, cols: any) {
    return { on: undefined, using: cols.ast() };
  },
  FromPrimary_derived(lateral: any, _o: any, q: any, _c: any, alias: any): A.DerivedTable {
    return { kind: 'derived-table', lateral: has(lateral), query: q.ast(), alias: opt(alias), span: span(this) };
  },
  FromPrimary_func(_lateral: any, fn: any, ordinality: any, alias: any): A.FunctionTable {
    return { kind: 'function-table', call: fn.ast(), ordinality: has(ordinality), alias: opt(alias), span: span(this) };
  },
  FromPrimary_table(_only: any, name: any, alias: any): A.TableRef {
    return { kind: 'table-ref', name: name.ast(), alias: opt(alias), span: span(this) };
  },
  FromPrimary_paren(_o: any, item: any, _c: any) {
    return item.ast();
  },
  TableAlias(_as: any, name: any, cols: any): A.TableAlias {
    return { kind: 'table-alias', name: name.ast(), columns: has(cols) ? cols.child(0).ast() : [], span: span(this) };
  },
  WhereClause(_w: any, e: any) {
    return e.ast();
  },
  GroupByClause(_g: any, _b: any, exprs: any) {
    return list(exprs);
  },
  HavingClause(_h: any, e: any) {
    return e.ast();
  },
  WindowClause(_w: any, wins: any) {
    return list(wins);
  },
  NamedWindow(name: any, _as: any, _o: any, spec: any, _c: any): A.NamedWindow {
    return { kind: 'named-window', name: name.ast(), spec: spec.ast(), span: span(this) };
  },
  WindowSpec(baseName: any, partition: any, order: any, frame: any): A.WindowSpec {
    return {
      kind: 'window-spec',
      base: opt(baseName),
      partitionBy: has(partition) ? partition.child(0).ast() : [],
      orderBy: has(order) ? order.child(0).ast() : [],
      frame: opt(frame),
      span: span(this),
    };
  },
  PartitionClause(_p: any, _b: any, exprs: any) {
    return list(exprs);
  },
  FrameClause_between(units: any, _b: any, start: any, _a: any, end: any): A.WindowFrame {
    return {
      kind: 'window-frame',
      units: units.sourceString.toLowerCase() as 'rows' | 'range' | 'groups',
      start: start.ast(),
      end: end.ast(),
      span: span(this),
    };
  },
  FrameClause_start(units: any, start: any): A.WindowFrame {
    return {
      kind: 'window-frame',
      units: units.sourceString.toLowerCase() as 'rows' | 'range' | 'groups',
      start: start.ast(),
      end: undefined,
      span: span(this),
    };
  },
  FrameBound_unboundedPreceding(_u: any, _p: any): A.FrameBound {
    return { kind: 'unbounded-preceding' };
  },
  FrameBound_unboundedFollowing(_u: any, _f: any): A.FrameBound {
    return { kind: 'unbounded-following' };
  },
  FrameBound_currentRow(_c: any, _r: any): A.FrameBound {
    return { kind: 'current-row' };
  },
  FrameBound_preceding(e: any, _p: any): A.FrameBound {
    return { kind: 'preceding', offset: e.ast() };
  },
  FrameBound_following(e: any, _f: any): A.FrameBound {
    return { kind: 'following', offset: e.ast() };
  },

  // ─── Expressions ──────────────────────────────────────────────────────────
  Expr(_prefixGuards: any, prefixes: any, operand: any, _tailGuards: any, tails: any): A.Expr {
    if (prefixes.numChildren === 0 && tails.numChildren === 0) return operand.ast();
    const items: Item[] = [];
    pushOperand(items, prefixes, operand);
    for (const t of tails.children) pushTail(items, t);
    return groupItems(items);
  },
  Arith(prefixes: any, operand: any, tails: any): A.Expr {
    if (prefixes.numChildren === 0 && tails.numChildren === 0) return operand.ast();
    const items: Item[] = [];
    pushOperand(items, prefixes, operand);
    for (const t of tails.children) {
      items.push(binaryItem(t.child(0)));
      pushOperand(items, t.child(1), t.child(2));
    }
    return groupItems(items);
  },
  UnaryExpr(prefixes: any, operand: any): A.Expr {
    if (prefixes.numChildren === 0) return operand.ast();
    const items: Item[] = [];
    pushOperand(items, prefixes, operand);
    return groupItems(items);
  },
  LikeEscape(_e: any, e: any) {
    return e.ast();
  },
  Operand(primary: any, _guards: any, ops: any): A.Expr {
    let e = primary.ast() as A.Expr;
    if (ops.numChildren === 0) return e;
    const start = base + primary.source.startIdx;
    for (const op of ops.children) {
      const alt = op.child(0);
      const s: Span = { start, end: base + op.source.endIdx };
      switch (alt.ctorName) {
        case 'PostfixOp_index':
          e = { kind: 'subscript', expr: e, index: alt.child(1).ast(), upper: undefined, slice: false, span: s };
          break;
        case 'PostfixOp_slice':
          e = { kind: 'subscript', expr: e, index: alt.child(1).ast(), upper: opt(alt.child(3)), slice: true, span: s };
          break;
        case 'PostfixOp_qualifiedCast':
          e = { kind: 'cast', expr: e, type: alt.child(2).ast(), syntax: 'colons', span: s };
          break;
        case 'PostfixOp_collate':
          break;
        default:
          e = { kind: 'cast', expr: e, type: alt.child(1).ast(), syntax: 'colons', span: s };
      }
    }
    return e;
  },
  Primary(_guard: any, p: any) {
    return p.ast();
  },
  NamePrimary_call(_name: any, _open: any, p: any) {
    return p.ast();
  },
  NamePrimary_typed(_name: any, _next: any, p: any) {
    return p.ast();
  },
  ParenPrimary_subquery(_o: any, q: any, _c: any): A.SubqueryExpr {
    return { kind: 'subquery', query: q.ast(), array: false, span: span(this) };
  },
  KeywordPrimary_exists(_e: any, _o: any, q: any, _c: any): A.ExistsExpr {
    return { kind: 'exists', query: q.ast(), span: span(this) };
  },
  KeywordPrimary_arrayQuery(_a: any, _o: any, q: any, _c: any): A.SubqueryExpr {
    return { kind: 'subquery', query: q.ast(), array: true, span: span(this) };
  },
  KeywordPrimary_array(_a: any, body: any): A.ArrayExpr {
    return { kind: 'array', elements: body.ast(), span: span(this) };
  },
  ArrayBody(_o: any, elems: any, _c: any) {
    return list(elems);
  },
  ArrayElement(e: any) {
    if (e.ctorName === 'ArrayBody') return { kind: 'array', elements: e.ast(), span: span(e) };
    return e.ast();
  },
  CaseExpr(_case: any, operand: any, whens: any, els: any, _end: any): A.CaseExpr {
    return { kind: 'case', operand: opt(operand), whens: many(whens), else: opt(els), span: span(this) };
  },
  WhenClause(_w: any, when: any, _t: any, then: any) {
    return { when: when.ast(), then: then.ast() };
  },
  ElseClause(_e: any, e: any) {
    return e.ast();
  },
  KeywordPrimary_cast(_c: any, _o: any, e: any, _as: any, t: any, _cl: any): A.CastExpr {
    return { kind: 'cast', expr: e.ast(), type: t.ast(), syntax: 'cast', span: span(this) };
  },
  CallPrimary_extract(_x: any, _o: any, field: any, _f: any, e: any, _c: any): A.ExtractExpr {
    const f = field.child(0);
    const name = f.ctorName === 'ColLabel' ? (f.ast() as A.Ident).name : stringValue(f);
    return { kind: 'extract', field: name.toLowerCase(), expr: e.ast(), span: span(this) };
  },
  CallPrimary_substringFrom(kw: any, _o: any, e: any, _f: any, from: any, forPart: any, _c: any) {
    const args: A.Expr[] = [e.ast(), from.ast()];
    if (has(forPart)) args.push(forPart.child(0).ast());
    return call(qname1('substring', span(kw)), args, span(this));
  },
  SubstringFor(_f: any, e: any) {
    return e.ast();
  },
  CallPrimary_substringFor(kw: any, _o: any, e: any, _f: any, count: any, _c: any) {
    const one: A.LiteralExpr = { kind: 'literal', value: { kind: 'integer', text: '1' }, span: span(kw) };
    return call(qname1('substring', span(kw)), [e.ast(), one, count.ast()], span(this));
  },
  CallPrimary_position(kw: any, _o: any, needle: any, _in: any, haystack: any, _c: any) {
    return call(qname1('position', span(kw)), [haystack.ast(), needle.ast()], span(this));
  },
  CallPrimary_trim(kw: any, _o: any, where: any, args: any, _c: any) {
    const w = has(where) ? where.sourceString.toLowerCase() : 'both';
    const name = w === 'leading' ? 'ltrim' : w === 'trailing' ? 'rtrim' : 'btrim';
    return call(qname1(name, span(kw)), args.ast(), span(this));
  },
  TrimArgs_charsFrom(chars: any, _f: any, exprs: any) {
    const out = list(exprs);
    out.push(chars.ast());
    return out;
  },
  TrimArgs_from(_f: any, exprs: any) {
    return list(exprs);
  },
  TrimArgs_list(exprs: any) {
    return list(exprs);
  },
  CallPrimary_row(_r: any, _o: any, fields: any, _c: any): A.RowExpr {
    return { kind: 'row', fields: list(fields), explicit: true, span: span(this) };
  },
  ParenPrimary_tuple(_o: any, first: any, _comma: any, rest: any, _c: any): A.RowExpr {
    const fields = list(rest);
    fields.unshift(first.ast());
    return { kind: 'row', fields, explicit: false, span: span(this) };
  },
  ParenPrimary_paren(_o: any, e: any, _c: any) {
    return e.ast();
  },
  TypedPrimary_interval(_i: any, s: any, unit: any): A.IntervalLiteralExpr {
    return { kind: 'interval-literal', value: stringValue(s), unit: opt(unit), span: span(this) };
  },
  IntervalUnit_range(from: any, _to: any, to: any) {
    return `${from.sourceString.toLowerCase()} to ${to.sourceString.toLowerCase()}`;
  },
  IntervalUnit_single(unit: any) {
    return unit.sourceString.toLowerCase();
  },
  KeywordPrimary_currentSchema(n: any, _o: any, _c: any) {
    return call(qname1('current_schema', span(n)), [], span(this));
  },
  KeywordPrimary_niladic(n: any) {
    return call(qname1(n.sourceString.toLowerCase(), span(n)), [], span(this));
  },
  FuncCall(name: any, _o: any, args: any, _c: any, filter: any, over: any): A.FuncCallExpr {
    const a = args.ast() as { args: A.Expr[]; star: boolean; distinct: boolean; orderBy: A.OrderItem[] };
    return {
      kind: 'func-call',
      name: name.ast(),
      args: a.args,
      star: a.star,
      distinct: a.distinct,
      orderBy: a.orderBy,
      filter: opt(filter),
      over: opt(over),
      span: span(this),
    };
  },
  FuncName_keyword(k: any) {
    return qname1(k.sourceString.toLowerCase(), span(k));
  },
  FuncArgs_star(_s: any) {
    return { args: [], star: true, distinct: false, orderBy: [] };
  },
  FuncArgs_quantified(q: any, exprs: any, order: any) {
    return { args: list(exprs), star: false, distinct: q.sourceString.toLowerCase() === 'distinct', orderBy: has(order) ? order.child(0).ast() : [] };
  },
  FuncArgs_plain(exprs: any, order: any) {
    return { args: list(exprs), star: false, distinct: false, orderBy: has(order) ? order.child(0).ast() : [] };
  },
  FilterClause(_f: any, _o: any, _w: any, e: any, _c: any) {
    return e.ast();
  },
  OverClause_spec(_over: any, _o: any, spec: any, _c: any) {
    return spec.ast();
  },
  OverClause_name(_over: any, name: any): A.WindowSpec {
    return { kind: 'window-spec', base: name.ast(), partitionBy: [], orderBy: [], frame: undefined, span: span(name) };
  },
  TypedPrimary_constType(type: any, s: any): A.TypedLiteralExpr {
    return { kind: 'typed-literal', type: type.ast(), value: stringValue(s), span: span(this) };
  },
  CallPrimary_typed(_name: any, _mods: any, type: any, s: any): A.TypedLiteralExpr {
    return { kind: 'typed-literal', type: type.ast(), value: stringValue(s), span: span(this) };
  },
  NamePrimary_column(q: any, dot: any, _star: any): A.ColumnRefExpr | A.StarExpr {
    if (has(dot)) return { kind: 'star', table: q.ast(), span: span(this) };
    return { kind: 'column-ref', name: q.ast(), span: span(this) };
  },
  param(_dollar: any, _digits: any): A.ParamExpr {
    return { kind: 'param', index: Number(this.sourceString.slice(1)), span: span(this) };
  },

  // ─── Literals ─────────────────────────────────────────────────────────────
  Literal_number(n: any): A.LiteralExpr {
    return { kind: 'literal', value: numberValue(n.sourceString), span: span(this) };
  },
  Literal_string(s: any): A.LiteralExpr {
    return stringLiteral(s);
  },
  Literal_true(_t: any): A.LiteralExpr {
    return { kind: 'literal', value: { kind: 'bool', value: true }, span: span(this) };
  },
  Literal_false(_f: any): A.LiteralExpr {
    return { kind: 'literal', value: { kind: 'bool', value: false }, span: span(this) };
  },
  Literal_null(_n: any): A.LiteralExpr {
    return { kind: 'literal', value: { kind: 'null' }, span: span(this) };
  },
  plainString(_o: any, _chars: any, _c: any): A.LiteralValue {
    return { kind: 'string', value: raw(this).slice(1, -1).replaceAll("''", "'"), form: 'plain' };
  },
  escapeString(_o: any, _chars: any, _c: any): A.LiteralValue {
    return { kind: 'string', value: unescapeBackslashes(raw(this).slice(2, -1), E_STRING), form: 'escape' };
  },
  dollarString(_o: any, body: any, _c: any): A.LiteralValue {
    return { kind: 'string', value: raw(body), form: 'dollar' };
  },

  // ─── Types and names ──────────────────────────────────────────────────────
  TypeName(type: any, suffix: any): A.TypeName {
    const t = type.ast() as A.TypeName;
    if (!has(suffix)) return t;
    const alt = suffix.child(0).child(0);
    const dims = alt.ctorName === 'ArraySuffix_keyword' ? 1 : alt.child(0).numChildren;
    return { kind: 'type-name', name: t.name, modifiers: t.modifiers, arrayDims: dims, span: span(this) };
  },
  ConstType_double(_d: any, _p: any): A.TypeName {
    return { kind: 'type-name', name: 'double precision', modifiers: [], arrayDims: 0, span: span(this) };
  },
  ConstType_characterVarying(_c: any, _v: any, mods: any): A.TypeName {
    return { kind: 'type-name', name: 'character varying', modifiers: has(mods) ? mods.child(0).ast() : [], arrayDims: 0, span: span(this) };
  },
  ConstType_charVarying(_c: any, _v: any, mods: any): A.TypeName {
    return { kind: 'type-name', name: 'char varying', modifiers: has(mods) ? mods.child(0).ast() : [], arrayDims: 0, span: span(this) };
  },
  ConstType_bitVarying(_b: any, _v: any, mods: any): A.TypeName {
    return { kind: 'type-name', name: 'bit varying', modifiers: has(mods) ? mods.child(0).ast() : [], arrayDims: 0, span: span(this) };
  },
  ConstType_timestamp(_t: any, mods: any, tz: any): A.TypeName {
    const name = has(tz) ? `timestamp ${words(tz)}` : 'timestamp';
    return { kind: 'type-name', name, modifiers: has(mods) ? mods.child(0).ast() : [], arrayDims: 0, span: span(this) };
  },
  ConstType_time(_t: any, mods: any, tz: any): A.TypeName {
    const name = has(tz) ? `time ${words(tz)}` : 'time';
    return { kind: 'type-name', name, modifiers: has(mods) ? mods.child(0).ast() : [], arrayDims: 0, span: span(this) };
  },
  ConstType_named(id: any, mods: any): A.TypeName {
    const name = (id.ast() as A.Ident).name;
    return { kind: 'type-name', name, modifiers: has(mods) ? mods.child(0).ast() : [], arrayDims: 0, span: span(this) };
  },
  TypeMods(_o: any, ints: any, _c: any) {
    return list(ints);
  },
  intLit(_d: any) {
    return Number(this.sourceString);
  },
  QName(first: any, _dots: any, rest: any): A.QName {
    const parts: A.Ident[] = [first.ast()];
    for (const r of rest.children) parts.push(r.ast());
    return { kind: 'qname', parts, span: span(this) };
  },
  QNameRest(_d: any, label: any) {
    return label.ast();
  },
  identifier(_s: any, _r: any): A.Ident {
    return ident(this.sourceString, false, span(this));
  },
  word(_s: any, _r: any): A.Ident {
    // A reserved word used as a label arrives upper-cased (see sql.ohm); it is ASCII, so this is folding.
    const w = this.sourceString;
    const c = w.charCodeAt(0);
    return ident(c >= 65 && c <= 90 ? w.toLowerCase() : w, false, span(this));
  },
  quotedIdent(_o: any, _chars: any, _c: any): A.Ident {
    return ident(raw(this).slice(1, -1).replaceAll('""', '"'), true, span(this));
  },

  // ─── DML ──────────────────────────────────────────────────────────────────
  InsertStmt(w: any, _i: any, _into: any, table: any, alias: any, cols: any, source: any, conflict: any, ret: any): A.InsertStatement {
    return {
      kind: 'insert',
      with: opt(w),
      table: table.ast(),
      alias: opt(alias),
      columns: has(cols) ? cols.child(0).ast() : [],
      source: source.ast(),
      onConflict: opt(conflict),
      returning: opt(ret),
      span: span(this),
    };
  },
  InsertAlias(_as: any, id: any) {
    return id.ast();
  },
  InsertSource_defaultValues(_d: any, _v: any) {
    return { kind: 'default-values' };
  },
  InsertSource_values(_v: any, rows: any, _end: any) {
    return { kind: 'values', rows: list(rows) };
  },
  InsertSource_query(q: any) {
    return { kind: 'query', query: q.ast() };
  },
  InsertRow(_o: any, values: any, _c: any) {
    return list(values);
  },
  InsertValue_default(_d: any) {
    return { kind: 'default', span: span(this) };
  },
  OnConflict(_on: any, _c: any, target: any, _do: any, action: any): A.OnConflict {
    const t = opt(target) as { target: A.Ident[]; constraint?: A.Ident } | undefined;
    return { kind: 'on-conflict', target: t?.target ?? [], constraint: t?.constraint, action: action.ast(), span: span(this) };
  },
  ConflictTarget_columns(cols: any) {
    return { target: cols.ast(), constraint: undefined };
  },
  ConflictTarget_constraint(_on: any, _c: any, name: any) {
    return { target: [], constraint: name.ast() };
  },
  ConflictAction_nothing(_n: any) {
    return { kind: 'nothing' };
  },
  ConflictAction_update(_u: any, _s: any, assigns: any, where: any) {
    return { kind: 'update', assignments: list(assigns), where: opt(where) };
  },
  Assignment(col: any, _eq: any, value: any): A.Assignment {
    return { kind: 'assignment', column: col.ast(), value: value.ast(), span: span(this) };
  },
  AssignValue_default(_d: any) {
    return { kind: 'default', span: span(this) };
  },
  Returning(_r: any, items: any): A.ReturningClause {
    return { kind: 'returning', items: list(items), span: span(this) };
  },
  UpdateStmt(w: any, _u: any, _only: any, table: any, alias: any, _set: any, assigns: any, from: any, where: any, ret: any): A.UpdateStatement {
    return {
      kind: 'update',
      with: opt(w),
      table: table.ast(),
      alias: opt(alias),
      assignments: list(assigns),
      from: has(from) ? from.child(0).ast() : [],
      where: opt(where),
      returning: opt(ret),
      span: span(this),
    };
  },
  UpdateAlias_as(_as: any, id: any) {
    return id.ast();
  },
  DeleteStmt(w: any, _d: any, _f: any, _only: any, table: any, alias: any, using: any, where: any, ret: any): A.DeleteStatement {
    return {
      kind: 'delete',
      with: opt(w),
      table: table.ast(),
      alias: opt(alias),
      using: has(using) ? using.child(0).ast() : [],
      where: opt(where),
      returning: opt(ret),
      span: span(this),
    };
  },
  DmlAlias(_as: any, id: any) {
    return id.ast();
  },
  UsingClause(_u: any, items: any) {
    return list(items);
  },

  // ─── DDL ──────────────────────────────────────────────────────────────────
  CreateTableStmt_columns(_c: any, _t: any, _tb: any, ine: any, name: any, _o: any, elems: any, _cl: any): A.CreateTableStatement {
    const columns: A.ColumnDef[] = [];
    const constraints: A.TableConstraint[] = [];
    for (const e of list(elems) as (A.ColumnDef | A.TableConstraint)[]) {
      if (e.kind === 'column-def') columns.push(e);
      else constraints.push(e);
    }
    return { kind: 'create-table', name: name.ast(), ifNotExists: has(ine), columns, constraints, asQuery: undefined, span: span(this) };
  },
  CreateTableStmt_as(_c: any, _t: any, _tb: any, ine: any, name: any, _as: any, q: any): A.CreateTableStatement {
    return { kind: 'create-table', name: name.ast(), ifNotExists: has(ine), columns: [], constraints: [], asQuery: q.ast(), span: span(this) };
  },
  TableConstraint(name: any, body: any): A.TableConstraint {
    return { ...(body.ast() as A.TableConstraint), name: opt(name), span: span(this) };
  },
  ConstraintName(_c: any, id: any) {
    return id.ast();
  },
  TableConstraintBody_primaryKey(_p: any, _k: any, cols: any) {
    return { kind: 'primary-key', columns: cols.ast() };
  },
  TableConstraintBody_unique(_u: any, cols: any) {
    return { kind: 'unique', columns: cols.ast() };
  },
  TableConstraintBody_check(_c: any, _o: any, e: any, _cl: any) {
    return { kind: 'check', expr: e.ast() };
  },
  TableConstraintBody_foreignKey(_f: any, _k: any, cols: any, _r: any, table: any, refCols: any, actions: any) {
    return {
      kind: 'foreign-key',
      columns: cols.ast(),
      table: table.ast(),
      refColumns: has(refCols) ? refCols.child(0).ast() : [],
      ...refActions(actions),
    };
  },
  ColumnDef(name: any, type: any, constraints: any): A.ColumnDef {
    return { kind: 'column-def', name: name.ast(), type: type.ast(), constraints: many(constraints), span: span(this) };
  },
  ColumnConstraint(_name: any, body: any) {
    return body.ast();
  },
  ColumnConstraintBody_notNull(_n: any, _nl: any): A.ColumnConstraint {
    return { kind: 'not-null', span: span(this) };
  },
  ColumnConstraintBody_null(_n: any): A.ColumnConstraint {
    return { kind: 'null', span: span(this) };
  },
  ColumnConstraintBody_primaryKey(_p: any, _k: any): A.ColumnConstraint {
    return { kind: 'primary-key', span: span(this) };
  },
  ColumnConstraintBody_unique(_u: any): A.ColumnConstraint {
    return { kind: 'unique', span: span(this) };
  },
  ColumnConstraintBody_default(_d: any, e: any): A.ColumnConstraint {
    return { kind: 'default', expr: e.ast(), span: span(this) };
  },
  ColumnConstraintBody_check(_c: any, _o: any, e: any, _cl: any): A.ColumnConstraint {
    return { kind: 'check', expr: e.ast(), span: span(this) };
  },
  ColumnConstraintBody_references(_r: any, table: any, cols: any, actions: any): A.ColumnConstraint {
    return {
      kind: 'references',
      table: table.ast(),
      columns: has(cols) ? cols.child(0).ast() : [],
      ...refActions(actions),
      span: span(this),
    };
  },
  DropStmt(_d: any, kind: any, ifExists: any, names: any, behavior: any): A.DropStatement {
    return {
      kind: 'drop',
      objectKind: kind.sourceString.toLowerCase() as 'table' | 'index' | 'view',
      names: list(names),
      ifExists: has(ifExists),
      cascade: has(behavior) && behavior.sourceString.toLowerCase() === 'cascade',
      span: span(this),
    };
  },
  CreateIndexStmt(_c: any, unique: any, _i: any, _conc: any, ine: any, name: any, _on: any, _only: any, table: any, using: any, _o: any, cols: any, _cl: any): A.CreateIndexStatement {
    return {
      kind: 'create-index',
      name: opt(name),
      unique: has(unique),
      ifNotExists: has(ine),
      table: table.ast(),
      columns: list(cols),
      using: opt(using),
      span: span(this),
    };
  },
  IndexUsing(_u: any, id: any) {
    return id.ast();
  },
  CreateViewStmt(_c: any, orReplace: any, _t: any, _v: any, name: any, cols: any, _as: any, q: any): A.CreateViewStatement {
    return {
      kind: 'create-view',
      name: name.ast(),
      orReplace: has(orReplace),
      columns: has(cols) ? cols.child(0).ast() : [],
      query: q.ast(),
      queryText: raw(q),
      span: span(this),
    };
  },
  AlterTableStmt(_a: any, _t: any, ifExists: any, _only: any, name: any, actions: any): A.AlterTableStatement {
    return { kind: 'alter-table', name: name.ast(), ifExists: has(ifExists), actions: list(actions), span: span(this) };
  },
  AlterAction_addColumn(_a: any, _c: any, ine: any, col: any): A.AlterAction {
    return { kind: 'add-column', column: col.ast(), ifNotExists: has(ine), span: span(this) };
  },
  AlterAction_dropColumn(_d: any, _c: any, ifExists: any, name: any, behavior: any): A.AlterAction {
    return {
      kind: 'drop-column',
      name: name.ast(),
      ifExists: has(ifExists),
      cascade: has(behavior) && behavior.sourceString.toLowerCase() === 'cascade',
      span: span(this),
    };
  },
  AlterAction_renameTable(_r: any, _t: any, to: any): A.AlterAction {
    return { kind: 'rename-table', to: to.ast(), span: span(this) };
  },
  AlterAction_renameColumn(_r: any, _c: any, from: any, _t: any, to: any): A.AlterAction {
    return { kind: 'rename-column', from: from.ast(), to: to.ast(), span: span(this) };
  },

  // ─── Transactions and utility statements ─────────────────────────────────
  TransactionStmt_begin(_b: any, _w: any, modes: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'begin', savepoint: undefined, modes: has(modes) ? modes.child(0).ast() : [], span: span(this) };
  },
  TransactionStmt_start(_s: any, _t: any, modes: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'begin', savepoint: undefined, modes: has(modes) ? modes.child(0).ast() : [], span: span(this) };
  },
  TransactionStmt_commit(_c: any, _w: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'commit', savepoint: undefined, modes: [], span: span(this) };
  },
  TransactionStmt_end(_e: any, _w: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'commit', savepoint: undefined, modes: [], span: span(this) };
  },
  TransactionStmt_rollbackTo(_r: any, _w: any, _to: any, _s: any, name: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'rollback-to', savepoint: name.ast(), modes: [], span: span(this) };
  },
  TransactionStmt_rollback(_r: any, _w: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'rollback', savepoint: undefined, modes: [], span: span(this) };
  },
  TransactionStmt_abort(_a: any, _w: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'rollback', savepoint: undefined, modes: [], span: span(this) };
  },
  TransactionStmt_savepoint(_s: any, name: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'savepoint', savepoint: name.ast(), modes: [], span: span(this) };
  },
  TransactionStmt_release(_r: any, _s: any, name: any): A.TransactionStatement {
    return { kind: 'transaction', action: 'release', savepoint: name.ast(), modes: [], span: span(this) };
  },
  TxModes(first: any, rest: any) {
    const modes: string[] = [first.ast()];
    for (const r of rest.children) modes.push(r.child(1).ast());
    return modes;
  },
  TxMode(_m: any) {
    return words(this);
  },
  ExplainStmt(_e: any, options: any, analyze: any, verbose: any, stmt: any): A.ExplainStatement {
    let a = has(analyze);
    let v = has(verbose);
    let format: 'text' | 'json' = 'text';
    if (has(options)) {
      for (const o of options.child(0).child(1).asIteration().children) {
        const opt1 = o.child(0);
        if (opt1.ctorName === 'ExplainOption_format') format = opt1.child(1).sourceString.toLowerCase() as 'text' | 'json';
        else if (opt1.ctorName === 'ExplainOption_analyze') a = boolOption(opt1.child(1));
        else if (opt1.ctorName === 'ExplainOption_verbose') v = boolOption(opt1.child(1));
      }
    }
    return { kind: 'explain', analyze: a, verbose: v, format, statement: stmt.ast(), span: span(this) };
  },
  SetStmt_timeZone(_s: any, scope: any, _t: any, _z: any, value: any): A.SetStatement {
    return {
      kind: 'set',
      scope: has(scope) && scope.sourceString.toLowerCase() === 'local' ? 'local' : 'session',
      name: 'timezone',
      value: value.ast(),
      reset: false,
      span: span(this),
    };
  },
  TimeZoneValue_local(_l: any) {
    return [];
  },
  TimeZoneValue_default(_d: any) {
    return [];
  },
  TimeZoneValue_value(v: any) {
    return [v.ast()];
  },
  SetStmt_assign(_s: any, scope: any, name: any, _eq: any, values: any): A.SetStatement {
    return {
      kind: 'set',
      scope: has(scope) && scope.sourceString.toLowerCase() === 'local' ? 'local' : 'session',
      name: name.ast(),
      value: values.ast(),
      reset: false,
      span: span(this),
    };
  },
  SettingName(first: any, rest: any) {
    let name = (first.ast() as A.Ident).name;
    for (const r of rest.children) name += '.' + (r.ast() as A.Ident).name;
    return name;
  },
  SetValues_default(_d: any) {
    return [];
  },
  SetValues_list(values: any) {
    return list(values);
  },
  SetValue_string(s: any) {
    return stringLiteral(s);
  },
  SetValue_number(n: any): A.LiteralExpr {
    return { kind: 'literal', value: numberValue(n.sourceString), span: span(this) };
  },
  ResetStmt_all(_r: any, _a: any): A.SetStatement {
    return { kind: 'set', scope: 'session', name: 'all', value: [], reset: true, span: span(this) };
  },
  ResetStmt_timeZone(_r: any, _t: any, _z: any): A.SetStatement {
    return { kind: 'set', scope: 'session', name: 'timezone', value: [], reset: true, span: span(this) };
  },
  ResetStmt_name(_r: any, name: any): A.SetStatement {
    return { kind: 'set', scope: 'session', name: name.ast(), value: [], reset: true, span: span(this) };
  },
  ShowStmt_all(_s: any, _a: any): A.ShowStatement {
    return { kind: 'show', name: 'all', span: span(this) };
  },
  ShowStmt_timeZone(_s: any, _t: any, _z: any): A.ShowStatement {
    return { kind: 'show', name: 'timezone', span: span(this) };
  },
  ShowStmt_isolation(_s: any, _t: any, _i: any, _l: any): A.ShowStatement {
    return { kind: 'show', name: 'transaction_isolation', span: span(this) };
  },
  ShowStmt_name(_s: any, name: any): A.ShowStatement {
    return { kind: 'show', name: name.ast(), span: span(this) };
  },
  AnalyzeStmt(_a: any, _v: any, tables: any): A.AnalyzeStatement {
    return { kind: 'analyze', tables: list(tables), span: span(this) };
  },
  CopyStmt_from(_c: any, table: any, cols: any, _f: any, _s: any, opts: any): A.CopyStatement {
    return { kind: 'copy', direction: 'from', table: table.ast(), columns: has(cols) ? cols.child(0).ast() : [], options: has(opts) ? opts.child(0).ast() : [], span: span(this) };
  },
  CopyStmt_to(_c: any, table: any, cols: any, _t: any, _s: any, opts: any): A.CopyStatement {
    return { kind: 'copy', direction: 'to', table: table.ast(), columns: has(cols) ? cols.child(0).ast() : [], options: has(opts) ? opts.child(0).ast() : [], span: span(this) };
  },
  CopyStmt_query(_c: any, _o: any, q: any, _cl: any, _t: any, _s: any, opts: any): A.CopyStatement {
    return { kind: 'copy', direction: 'to', query: q.ast(), columns: [], options: has(opts) ? opts.child(0).ast() : [], span: span(this) };
  },
  CopyOptions_list(_w: any, _o: any, items: any, _c: any) {
    return list(items);
  },
  CopyOptions_legacy(_w: any, items: any) {
    return many(items);
  },
  CopyOption(name: any, value: any): A.CopyOption {
    const v = has(value) ? (value.child(0).ast() as string) : undefined;
    return { name: (name.ast() as A.Ident).name.toLowerCase(), ...(v === undefined ? {} : { value: v }), span: span(this) };
  },
  CopyOptionValue_string(s: any) {
    return stringValue(s);
  },
  CopyOptionValue_number(n: any) {
    return n.sourceString;
  },
  CopyOptionValue_word(w: any) {
    return (w.ast() as A.Ident).name;
  },
  CopyLegacyOption_value(name: any, _as: any, s: any): A.CopyOption {
    return { name: (name.ast() as A.Ident).name.toLowerCase(), value: stringValue(s), span: span(this) };
  },
  CopyLegacyOption_flag(name: any): A.CopyOption {
    return { name: (name.ast() as A.Ident).name.toLowerCase(), span: span(this) };
  },
};

// Ohm checks the table at load time: every action names a rule or case of the grammar and takes its arity.
postgresGrammar.createSemantics().addOperation('ast', actions as any);

/** The outcome of matching one statement: its tree, or where and what the grammar expected. */
export type MatchOutcome =
  | { readonly ok: true; readonly ast: A.Statement }
  | { readonly ok: false; readonly failurePos: number; readonly expected: string };

/**
 * Matches one statement and converts it. `offset` is added to every span, so callers holding a whole
 * script get script-relative ranges without a second pass over the tree. May throw RangeError when
 * nesting exhausts the stack.
 */
export function matchStatement(text: string, offset: number): MatchOutcome {
  const prepared = grammarText(text);
  const match = postgresGrammar.match(prepared, 'Program');
  if (match.failed()) return { ok: false, failurePos: match.getRightmostFailurePosition(), expected: match.getExpectedText() };
  base = offset;
  original = text;
  input = prepared;
  // `_cst`/`_cstOffset` hold the tree Ohm's semantics would wrap (ohm-js 17; not in its type declarations).
  const m = match as any;
  try {
    return { ok: true, ast: new Cst(m._cst, m._cstOffset, m._cstOffset).ast() as A.Statement };
  } catch (e) {
    if (e instanceof NonAssociative) return { ok: false, failurePos: e.pos, expected: '' };
    throw e;
  } finally {
    original = '';
    input = '';
  }
}
