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
import type { Edit, LayoutPart, OrbitForm } from './ast.ts';
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
let clauses: OrbitClauses = {};

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

/** The columns of a document table: its record id and the document. */
const DOCUMENT_COLUMNS = 'id text PRIMARY KEY, doc jsonb NOT NULL';

/** How far TRAVERSE walks without MAX_DEPTH (each record is visited once, so cycles end anyway). */
const TRAVERSE_DEPTH = 64;

const ARROWS: Readonly<Record<string, string>> = { '->': 'out', '<-': 'in', '<->': 'both' };

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A table name as written (a word, lower-cased, or a quoted identifier). */
function nameOf(node: any): string {
  const t = text(node);
  return t.startsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t.toLowerCase();
}

function ident(node: any): string {
  return quote(nameOf(node));
}

function insertAt(pos: number, to: string): void {
  edits.push({ kind: 'text', start: pos, end: pos, text: to });
}

function rewriteRange(start: number, end: number, to: string): void {
  edits.push({ kind: 'text', start, end, text: to });
}

/** A record id's table and its full id text (`user:alice`). */
function recordParts(node: any): { table: string; id: string } {
  const table = text(node.child(0)).toLowerCase();
  form('record-id', node, table);
  const key = node.child(2);
  const k = key.child(0).ctorName === 'recordKey_string' ? stringValue(key) : text(key);
  return { table, id: `${table}:${k}` };
}

/**
 * A field of the record an id names, in a table known only once the catalog is (`"@record"(id)` is the
 * record as jsonb, resolved by lowering): a path into it ending in text, as document paths do.
 */
function recordField(id: string, keys: readonly string[]): string {
  return keys.reduce((x, k, i) => `${x} ${i === keys.length - 1 ? '->>' : '->'} ${sqlString(k)}`, `"@record"(${id})`);
}

/** `{1..3}`, `{2}`, `{..3}`, `{2..}` as hop bounds (an open end walks at most 64 hops). */
function repeatBounds(spec: string | undefined): [number, number] {
  if (spec === undefined) return [1, 1];
  const m = /^\{(\d*)(\.\.)?(\d*)\}$/.exec(spec)!;
  const lo = m[1] ? Number(m[1]) : 1;
  const hi = m[2] ? (m[3] ? Number(m[3]) : TRAVERSE_DEPTH) : lo;
  return [lo, hi];
}

/** Marks a table the statement writes to, created (schemaless, or as an edge table) when missing. */
function ensure(table: string, kind: 'document' | 'edge'): void {
  clauses = { ...clauses, ensure: [...(clauses.ensure ?? []), { table, kind }] };
}

/** `CONTENT {…}` or `SET a = 1, b = 2` (or nothing) as the document's SQL value, ending at `end`. */
function recordData(d: any, end: number): void {
  if (!d) {
    insertAt(end, 'jsonb_build_object()');
    return;
  }
  if (d.ctorName === 'RecordData_content') {
    replace(d.child(0), '');
    d.child(1).rewrite();
    return;
  }
  replace(d.child(0), 'jsonb_build_object(');
  for (const a of d.child(1).asIteration().children) {
    rewriteRange(a.child(0).source.startIdx, a.child(1).source.endIdx, `${sqlString(nameOf(a.child(0)))},`);
    a.child(2).rewrite();
  }
  insertAt(end, ')');
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

// ─── Layouts: how the formatter prints a statement rewritten whole (its SQL reads nothing like it) ───

/** Sets the statement's layout: canonical text, with the ranges of expressions to format in between. */
function layout(...parts: (string | any)[]): void {
  const out: LayoutPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p !== 'string') out.push({ start: p.source.startIdx, end: p.source.endIdx });
    else if (typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  clauses = { ...clauses, layout: out };
}

/** A record id as the formatter prints it: the table lower-cased, the key as written. */
function recordText(node: any): string {
  return text(node.child(0)).toLowerCase() + ':' + text(node.child(2));
}

/** `CONTENT {…}` or `SET a = 1, b += 2` (or nothing) as layout parts. */
function dataLayout(d: any): (string | any)[] {
  if (!d) return [];
  if (d.ctorName === 'RecordData_content') return [' CONTENT ', d.child(1)];
  return [' SET ', ...assignLayout(d.child(1))];
}

function assignLayout(list: any): (string | any)[] {
  return list.asIteration().children.flatMap((a: any, i: number) => [`${i ? ', ' : ''}${text(a.child(0))} ${text(a.child(1))} `, a.child(2)]);
}

/** ` WHERE cond` after a layout, or nothing. */
function whereLayout(where: any): (string | any)[] {
  return where.numChildren ? ['\nWHERE ', where.child(0).child(1)] : [];
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
  LiveStmt(live: any, diff: any, query: any) {
    const end = diff.numChildren > 0 ? diff.source.endIdx : live.source.endIdx;
    clauses = { ...clauses, live: { diff: diff.numChildren > 0, start: live.source.startIdx, end } };
    edits.push({ kind: 'text', start: live.source.startIdx, end: query.source.startIdx, text: '' });
    query.rewrite();
  },
  FillClause(_fill: any, _open: any, mode: any, _close: any) {
    // The SQL text leaves the clause out; lowering adds the gap filling it asks for.
    edits.push({ kind: 'text', start: this.source.startIdx, end: this.source.endIdx, text: '' });
    const span = { start: this.source.startIdx, end: this.source.endIdx };
    const m = mode.child(0);
    if (m.ctorName === 'FillMode_previous') clauses = { ...clauses, fill: { mode: 'previous', span } };
    else if (m.ctorName === 'FillMode_linear') clauses = { ...clauses, fill: { mode: 'linear', span } };
    else if (/^null$/i.test(text(m).trim())) clauses = { ...clauses, fill: { mode: 'null', span } };
    else {
      clauses = { ...clauses, fill: { mode: 'value', span, valueStart: m.source.startIdx, valueEnd: m.source.endIdx } };
      m.rewrite();
    }
  },
  // ─── Documents and graphs: each statement becomes one SQL statement over document/edge tables ───
  DefineTableStmt(_define: any, _table: any, name: any, _schemaless: any) {
    layout(`DEFINE TABLE ${text(name)} SCHEMALESS`);
    replace(this, `CREATE TABLE IF NOT EXISTS ${ident(name)} (${DOCUMENT_COLUMNS})`);
  },
  CreateRecordStmt(_create: any, rid: any, data: any) {
    const r = recordParts(rid);
    ensure(r.table, 'document');
    layout(`CREATE ${recordText(rid)}`, ...dataLayout(data.numChildren ? data.child(0).child(0) : undefined));
    rewriteRange(this.source.startIdx, rid.source.endIdx, `INSERT INTO ${quote(r.table)} (id, doc) VALUES (${sqlString(r.id)}, `);
    recordData(data.numChildren ? data.child(0).child(0) : undefined, this.source.endIdx);
    insertAt(this.source.endIdx, ')');
  },
  UpsertStmt(_upsert: any, rid: any, data: any) {
    const r = recordParts(rid);
    ensure(r.table, 'document');
    layout(`UPSERT ${recordText(rid)}`, ...dataLayout(data.child(0)));
    rewriteRange(this.source.startIdx, rid.source.endIdx, `INSERT INTO ${quote(r.table)} (id, doc) VALUES (${sqlString(r.id)}, `);
    recordData(data.child(0), this.source.endIdx);
    // CONTENT replaces the document; SET merges its fields into it.
    const merged = data.child(0).ctorName === 'RecordData_set' ? `${quote(r.table)}.doc || EXCLUDED.doc` : 'EXCLUDED.doc';
    insertAt(this.source.endIdx, `) ON CONFLICT (id) DO UPDATE SET doc = ${merged}`);
  },
  DocInsertStmt(_insert: any, _into: any, name: any, rows: any) {
    const table = nameOf(name);
    ensure(table, 'document');
    const rowsOf = rows.child(0);
    if (rowsOf.ctorName === 'DocRows_one') layout(`INSERT INTO ${text(name)} `, rowsOf.child(0));
    else layout(`INSERT INTO ${text(name)} [`, ...rowsOf.child(1).asIteration().children.flatMap((x: any, i: number) => [i ? ', ' : '', x]), ']');
    // An `id` field names the record (`'alice'` or `users:alice`); without one a random key is drawn.
    const prefix = sqlString(`${table}:`);
    const given = "v.doc ->> 'id'";
    const id = `coalesce(CASE WHEN starts_with(${given}, ${prefix}) THEN ${given} ELSE ${prefix} || (${given}) END, ${prefix} || gen_random_uuid()::text)`;
    rewriteRange(this.source.startIdx, rows.source.startIdx, `INSERT INTO ${quote(table)} (id, doc) SELECT ${id}, v.doc FROM (VALUES `);
    const r = rows.child(0);
    const items = r.ctorName === 'DocRows_one' ? [r.child(0)] : r.child(1).asIteration().children;
    for (const item of items) {
      insertAt(item.source.startIdx, '(');
      item.rewrite();
      insertAt(item.source.endIdx, ')');
    }
    // After the rows' edits: an insertion sorts before a replacement starting where it stands.
    if (r.ctorName === 'DocRows_many') {
      replace(r.child(0), '');
      dropTrailingComma(r.child(2));
      replace(r.child(3), '');
    }
    insertAt(this.source.endIdx, ') AS v(doc)');
  },
  DocUpdateStmt(_update: any, target: any, _set: any, assigns: any, where: any) {
    const t = target.child(0);
    const record = t.ctorName === 'DocTarget_record' ? recordParts(t.child(0)) : undefined;
    layout(`UPDATE ${record ? recordText(t.child(0)) : text(t)} SET `, ...assignLayout(assigns), ...whereLayout(where));
    replace(t, quote(record ? record.table : nameOf(t.child(0))));
    for (const a of assigns.asIteration().children) a.rewrite();
    if (!record) {
      where.rewrite();
      return;
    }
    const w = where.numChildren ? where.child(0) : undefined;
    if (w) {
      replace(w.child(0), `WHERE id = ${sqlString(record.id)} AND (`);
      w.child(1).rewrite();
      insertAt(this.source.endIdx, ')');
    } else insertAt(this.source.endIdx, ` WHERE id = ${sqlString(record.id)}`);
  },
  DocAssign(field: any, op: any, value: any) {
    // `a += v` becomes `a = "+="(a, v)`: lowering knows the column's type (number, array, document field).
    const o = text(op);
    if (o !== '=') {
      replace(op, `= "${o}"(${text(field)}, `);
      value.rewrite();
      insertAt(value.source.endIdx, ')');
    } else value.rewrite();
  },
  RelateStmt(_relate: any, from: any, _a: any, edge: any, _b: any, to: any, data: any) {
    const table = nameOf(edge);
    ensure(table, 'edge');
    const f = recordParts(from);
    const t = recordParts(to);
    layout(`RELATE ${recordText(from)}->${text(edge)}->${recordText(to)}`, ...dataLayout(data.numChildren ? data.child(0).child(0) : undefined));
    const id = `${sqlString(`${table}:`)} || gen_random_uuid()::text`;
    rewriteRange(this.source.startIdx, to.source.endIdx, `INSERT INTO ${quote(table)} (id, "in", "out", doc) VALUES (${id}, ${sqlString(f.id)}, ${sqlString(t.id)}, `);
    recordData(data.numChildren ? data.child(0).child(0) : undefined, this.source.endIdx);
    insertAt(this.source.endIdx, ')');
  },
  TraverseStmt(_traverse: any, dir: any, edge: any, _from: any, start: any, max: any, where: any) {
    const direction = dir.numChildren === 0 ? 'out' : ARROWS[text(dir)]!;
    const m = max.numChildren ? max.child(0) : undefined;
    const depth = m ? Number(text(m.child(1))) : TRAVERSE_DEPTH;
    layout(`TRAVERSE ${dir.numChildren ? text(dir) : ''}${text(edge)} FROM `, start, m ? ` MAX_DEPTH ${text(m.child(1))}` : '', ...whereLayout(where));
    rewriteRange(this.source.startIdx, start.source.startIdx, 'SELECT id, depth FROM graph_expand(');
    start.rewrite();
    rewriteRange(start.source.endIdx, m ? m.source.endIdx : start.source.endIdx, `, ${sqlString(nameOf(edge))}, ${sqlString(direction)}, 1, ${depth}) AS traverse(id, depth)`);
    if (where.numChildren > 0) clauses = { ...clauses, traverseWhere: true };
    where.rewrite();
    insertAt(this.source.endIdx, ' ORDER BY depth, id');
  },
  graphPath(steps: any, fields: any) {
    const hops = steps.children.map((s: any) => s.child(0));
    form('graph-path', this, text(hops[0].child(1)).toLowerCase());
    const path = fields.children.map((f: any) => text(f.child(1))).join('.');
    // Each step walks from the records the step before reached (the row's `id` for the first): its
    // start is the array the step before gives, so every step plans as an Expand of its own.
    let start = 'id';
    hops.forEach((hop: any, i: number) => {
      const [, edgeNode, repeat, , targetNode] = hop.children;
      const direction = hop.ctorName === 'graphStep_out' ? 'out' : hop.ctorName === 'graphStep_in' ? 'in' : 'both';
      const [min, max] = repeatBounds(repeat.numChildren ? text(repeat.child(0)) : undefined);
      const g = `g${i + 1}`;
      const walk = `graph_expand(${start}, ${sqlString(text(edgeNode).toLowerCase())}, ${sqlString(direction)}, ${min}, ${max}) AS ${g}(id, depth)`;
      const target = targetNode.child(0).ctorName === 'graphTarget_any' ? undefined : text(targetNode).toLowerCase();
      const inTarget = target === undefined ? '' : ` WHERE starts_with(${g}.id, ${sqlString(`${target}:`)})`;
      // Each record reached is read by its key (a point lookup), nearest first; none gives an empty array.
      // Under `?` the record's table is known only from its id: lowering resolves `"@record"(id)`.
      const item = !path || i < hops.length - 1 ? `${g}.id` : target === undefined ? recordField(`${g}.id`, path.split('.')) : `(SELECT t.${path} FROM ${quote(target)} AS t WHERE t.id = ${g}.id)`;
      start = `(SELECT coalesce(array_agg(${item} ORDER BY ${g}.depth, ${g}.id), '{}') FROM ${walk}${inTarget})`;
    });
    replace(this, start);
  },
  PrefixCast(open: any, type: any, _close: any, operand: any) {
    rewriteRange(open.source.startIdx, operand.source.startIdx, 'CAST(');
    operand.rewrite();
    insertAt(operand.source.endIdx, ` AS ${text(type)})`);
  },
  FetchTail(_fetch: any, names: any) {
    clauses = { ...clauses, fetch: { names: names.asIteration().children.map((n: any) => nameOf(n)), start: this.source.startIdx, end: this.source.endIdx } };
    replace(this, '');
  },
  FromRecord(rid: any, alias: any) {
    const r = recordParts(rid);
    replace(rid, `(SELECT * FROM ${quote(r.table)} WHERE id = ${sqlString(r.id)})`);
    if (alias.numChildren === 0) insertAt(this.source.endIdx, ` AS ${quote(r.table)}`);
    else alias.rewrite();
  },
  variable(_dollar: any, _first: any, _rest: any) {
    const name = text(this).slice(1);
    form('variable', this, name);
    edits.push({ kind: 'variable', start: this.source.startIdx, end: this.source.endIdx, name });
  },
});

/** The clauses OrbitQL adds around a query, which its SQL text leaves out (ranges in the statement). */
export interface OrbitClauses {
  readonly live?: { readonly diff: boolean; readonly start: number; readonly end: number };
  /** Tables a document or graph statement writes, created when missing (`kind` says which columns). */
  readonly ensure?: readonly { readonly table: string; readonly kind: 'document' | 'edge' }[];
  /** `FETCH a, b`: result columns whose record ids are replaced by their records. */
  readonly fetch?: { readonly names: readonly string[]; readonly start: number; readonly end: number };
  /** A TRAVERSE with WHERE (the condition prunes the walk). */
  readonly traverseWhere?: true;
  /** How the formatter prints a statement rewritten whole (ranges in the statement). */
  readonly layout?: readonly LayoutPart[];
  readonly fill?: {
    readonly mode: 'null' | 'previous' | 'linear' | 'value';
    readonly span: { readonly start: number; readonly end: number };
    /** The constant's range, for `value`. */
    readonly valueStart?: number;
    readonly valueEnd?: number;
  };
}

/** A matched statement: its rewrites, its OrbitQL forms, and for LET the variable and its value's range. */
export interface OrbitMatch {
  readonly ok: true;
  readonly edits: readonly Edit[];
  readonly forms: readonly OrbitForm[];
  readonly clauses: OrbitClauses;
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
  clauses = {};
  try {
    const root: any = semantics(match);
    root.rewrite();
    const stmt = root.child(0).child(0);
    if (stmt.ctorName !== 'LetStmt') return { ok: true, edits, forms, clauses };
    const v = stmt.child(1);
    const value = stmt.child(3);
    const name = text.slice(v.source.startIdx + 1, v.source.endIdx);
    return {
      ok: true,
      edits: edits.filter((e) => e.start >= value.source.startIdx),
      forms,
      clauses,
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
