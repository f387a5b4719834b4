// The Ohm boundary of the OrbitQL front end: matches a statement with the OrbitQL grammar and lists the
// rewrites that turn its OrbitQL forms into SQL text.
//
// This is the only file of the front end that touches Ohm (and the only one allowed `any`, for Ohm's
// untyped nodes). The grammar extends sql.ohm's `Postgres` and matches the same prepared text (split.ts
// `grammarText`), so offsets equal those of the original; values are read from the original text.

/* eslint-disable @typescript-eslint/no-explicit-any */
import * as ohm from 'ohm-js';
import { POSTGRES_RECIPE } from '../sql/sql-grammar.ts';
import { grammarText } from '../sql/split.ts';
import type { Edit, OrbitForm } from './ast.ts';
import { registryName } from './functions.ts';
import { ORBITQL_RECIPE } from './orbitql-grammar.ts';

// The OrbitQL recipe names its parent `Postgres`, whose own recipe is the SQL front end's: joined here,
// so sql.ohm stays the one home of the SQL grammar family.
// (`makeRecipe` is exported by ohm-js but missing from its type declarations.)
const recipe = JSON.parse(ORBITQL_RECIPE) as unknown[];
recipe[3] = JSON.parse(POSTGRES_RECIPE);
/** The OrbitQL grammar; the language service matches with it too (completion reads its failures). */
export const orbitGrammar: ohm.Grammar = (ohm as any).makeRecipe(recipe);

// Per-match state: conversion is synchronous, so module-level fields are safe.
let original = '';
let edits: Edit[] = [];
let forms: OrbitForm[] = [];

const DURATION_UNITS: Readonly<Record<string, string>> = {
  ns: 'nanosecond',
  us: 'microsecond',
  ms: 'millisecond',
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  y: 'year',
};

function text(node: any): string {
  return original.slice(node.source.startIdx, node.source.endIdx);
}

function replace(node: any, to: string): void {
  edits.push({ kind: 'text', start: node.source.startIdx, end: node.source.endIdx, text: to });
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The value of a `'…'` string as written in the original text. */
function stringValue(node: any): string {
  return text(node).slice(1, -1).replace(/''/g, "'");
}

/** A trailing `,` (as `","?` matched it) is dropped: SQL has none. */
function dropTrailingComma(node: any): void {
  if (node.numChildren > 0) replace(node, '');
}

function form(kind: OrbitForm['kind'], node: any, name?: string): void {
  forms.push({ kind, span: { start: node.source.startIdx, end: node.source.endIdx }, ...(name === undefined ? {} : { name }) });
}

const semantics = orbitGrammar.createSemantics().addOperation('rewrite', {
  _nonterminal(...children: any[]) {
    for (const c of children) c.rewrite();
  },
  _iter(...children: any[]) {
    for (const c of children) c.rewrite();
  },
  _terminal() {},
  NsCall(path: any, _open: any, args: any, _close: any) {
    const name = text(path).toLowerCase();
    form('function', path, name);
    // An unknown name stays a quoted identifier, so the binder reports it under its OrbitQL spelling.
    replace(path, registryName(name) ?? `"${name}"`);
    args.rewrite();
  },
  recordId(table: any, _colon: any, key: any) {
    const id = `${text(table).toLowerCase()}:${key.ctorName === 'recordKey_string' || key.child(0).ctorName === 'recordKey_string' ? stringValue(key) : text(key)}`;
    form('record-id', this, text(table).toLowerCase());
    replace(this, sqlString(id));
  },
  ObjectLit(open: any, entries: any, trailing: any, close: any) {
    form('object', this);
    replace(open, 'jsonb_build_object(');
    for (const entry of entries.asIteration().children) entry.rewrite();
    dropTrailingComma(trailing);
    replace(close, ')');
  },
  ObjectEntry(key: any, colon: any, value: any) {
    const k = key.child(0);
    const name = k.ctorName === 'ObjectKey_string' ? stringValue(k) : k.ctorName === 'ObjectKey_quoted' ? text(k).slice(1, -1).replace(/""/g, '"') : text(k);
    edits.push({ kind: 'text', start: key.source.startIdx, end: colon.source.endIdx, text: `${sqlString(name)},` });
    value.rewrite();
  },
  ArrayLit(open: any, items: any, trailing: any, _close: any) {
    form('array', this);
    replace(open, 'ARRAY[');
    for (const item of items.asIteration().children) item.rewrite();
    dropTrailingComma(trailing);
  },
  duration(parts: any) {
    form('duration', this);
    const words = parts.children.map((p: any) => {
      const m = /^(\d+)(\D+)$/.exec(text(p))!;
      return `${m[1]} ${DURATION_UNITS[m[2]!.toLowerCase()]}`;
    });
    replace(this, `INTERVAL ${sqlString(words.join(' '))}`);
  },
  variable(_dollar: any, _first: any, _rest: any) {
    const name = text(this).slice(1);
    form('variable', this, name);
    edits.push({ kind: 'variable', start: this.source.startIdx, end: this.source.endIdx, name });
  },
});

/** A matched statement: its rewrites, its OrbitQL forms, and for LET the variable and its value's range. */
export interface OrbitMatch {
  readonly ok: true;
  readonly edits: readonly Edit[];
  readonly forms: readonly OrbitForm[];
  readonly let?: { readonly name: string; readonly nameStart: number; readonly nameEnd: number; readonly valueStart: number; readonly valueEnd: number };
}

/** The outcome of matching one statement: its rewrites, or where and what the grammar expected. */
export type OrbitMatchOutcome = OrbitMatch | { readonly ok: false; readonly failurePos: number; readonly expected: string };

/** Matches one statement (offsets relative to `text`). May throw RangeError when nesting exhausts the stack. */
export function matchOrbitStatement(text: string): OrbitMatchOutcome {
  const match = orbitGrammar.match(grammarText(text), 'Program');
  if (match.failed()) return { ok: false, failurePos: match.getRightmostFailurePosition(), expected: match.getExpectedText() };
  original = text;
  edits = [];
  forms = [];
  try {
    const root: any = semantics(match);
    root.rewrite();
    const stmt = root.child(0).child(0);
    if (stmt.ctorName !== 'LetStmt') return { ok: true, edits, forms };
    const v = stmt.child(1);
    const value = stmt.child(3);
    const name = text.slice(v.source.startIdx + 1, v.source.endIdx);
    return {
      ok: true,
      edits: edits.filter((e) => e.start >= value.source.startIdx),
      forms,
      let: { name, nameStart: v.source.startIdx, nameEnd: v.source.endIdx, valueStart: value.source.startIdx, valueEnd: value.source.endIdx },
    };
  } finally {
    original = '';
  }
}

/**
 * What the grammar accepts at `pos` of a statement's text: the rule descriptions and literal tokens Ohm
 * lists as expected when the input is cut at `pos` (the language service's keyword completion).
 */
export function expectedAt(text: string, pos: number): string[] {
  const match: any = orbitGrammar.match(grammarText(text.slice(0, pos)), 'Program');
  if (match.succeeded()) {
    // A complete statement can still go on: ask what may follow it by adding a character no token holds
    // (DEL: control characters below the space count as whitespace).
    const more: any = orbitGrammar.match(grammarText(text.slice(0, pos)) + '\u007f', 'Program');
    return more.failed() && more.getRightmostFailurePosition() >= pos ? failures(more) : [];
  }
  return match.getRightmostFailurePosition() >= pos ? failures(match) : [];
}

function failures(match: ohm.MatchResult): string[] {
  // `getRightmostFailures` exists on a failed match at run time but is missing from the type declarations.
  const list = (match as any).getRightmostFailures() as { getText(): string; type: string }[];
  return [...new Set(list.map((f) => (f.type === 'string' ? f.getText() : `<${f.getText()}>`)))];
}
