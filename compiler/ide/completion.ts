// Completion: what the grammar expects at the cursor (Ohm's rightmost failures), plus names in scope.

import type { RelationInfo } from '../catalog/index.ts';
import { allFunctions, type FunctionDef } from '../functions/index.ts';
import { expectedAt, NAMESPACED_FUNCTIONS } from '../frontends/orbitql/index.ts';
import { isEdgeTable } from '../frontends/sql/lower-graph.ts';
import { typeName } from '../ir/types.ts';
import type { Analysis } from './analysis.ts';
import { signatureText } from './hover.ts';

export type CompletionKind = 'keyword' | 'table' | 'column' | 'function' | 'alias' | 'cte' | 'variable';

export interface CompletionItem {
  readonly label: string;
  readonly kind: CompletionKind;
  /** A type for columns, a signature for functions, the table for aliases. */
  readonly detail?: string;
}

/**
 * Items for the cursor at `offset`. After `name.` they are the columns of the table `name` stands for;
 * otherwise the keywords and tokens the grammar accepts there, and, where it accepts a name, the tables
 * (after a table-introducing keyword) or the columns, functions, aliases, CTEs and variables in scope.
 */
export function complete(a: Analysis, offset: number): CompletionItem[] {
  const text = a.text;
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  const prefix = text.slice(start, offset).toLowerCase();
  const range = a.rangeAt(offset);
  // A name being typed may already parse as a definition (`FROM people WH` makes an alias `wh`): not itself.
  const visible = a.visibleAt(offset).filter((d) => !(d.span.start <= offset && offset <= d.span.end));
  const keep = (items: CompletionItem[]) => items.filter((i) => i.label.toLowerCase().startsWith(prefix));

  if (text[start - 1] === '.') {
    let q = start - 1;
    while (q > 0 && /[A-Za-z0-9_]/.test(text[q - 1]!)) q--;
    const qualifier = text.slice(q, start - 1).toLowerCase();
    const alias = visible.find((d) => d.kind === 'alias' && d.name === qualifier);
    const rel = a.relation(alias?.table ?? qualifier) ?? tableNamedInStatement(a, range, qualifier);
    return rel ? keep(columnsOf(rel)) : [];
  }

  const graph = graphPosition(text.slice(range.start, start));
  if (graph) {
    const items: CompletionItem[] = [];
    for (const r of a.catalog.listRelations()) {
      const edge = r.kind === 'table' && isEdgeTable(r);
      if (edge === (graph === 'edge')) items.push({ label: r.name, kind: 'table', detail: edge ? 'edge table' : r.kind });
    }
    return keep(items);
  }

  const statementText = text.slice(range.start, Math.max(range.end, offset));
  const expected = expectedAt(statementText, start - range.start);
  const items: CompletionItem[] = [];
  for (const e of expected) {
    if (/^[A-Za-z_]+$/.test(e) && e.length > 1) items.push({ label: e.toUpperCase(), kind: 'keyword' });
  }
  const wantsName = expected.some((e) => e === '<an identifier>' || e === '<a namespaced function>' || e === '<a record id>');
  if (wantsName) {
    if (afterTableKeyword(text, start)) {
      for (const r of a.catalog.listRelations()) items.push({ label: r.name, kind: 'table', detail: r.kind });
      for (const d of visible) if (d.kind === 'cte') items.push({ label: d.name, kind: 'cte' });
    } else {
      const tables = tablesOfStatement(a, range);
      for (const r of tables) items.push(...columnsOf(r));
      for (const d of visible) items.push({ label: d.kind === 'variable' ? `$${d.name}` : d.name, kind: d.kind, ...(d.table ? { detail: d.table } : {}) });
      for (const f of allFunctions()) items.push({ label: f.name, kind: 'function', detail: signatures(f) });
      for (const [name, target] of Object.entries(NAMESPACED_FUNCTIONS)) items.push({ label: name, kind: 'function', detail: `${name} → ${target}` });
    }
  }
  const seen = new Set<string>();
  return keep(items).filter((i) => (seen.has(i.kind + i.label) ? false : (seen.add(i.kind + i.label), true)));
}

/**
 * Where a graph path stands before the cursor: after a step's first arrow an edge table is named (`->`,
 * `<-`, `<->` where no operand or step precedes, so `doc->` stays JSON), after its second the records'
 * table. Earlier steps of a chain (`->follows->user->`) come before either.
 */
function graphPosition(before: string): 'edge' | 'target' | undefined {
  if (TARGET_AT_END.test(before)) return 'target';
  if (EDGE_AT_END.test(before)) return 'edge';
  return undefined;
}

const ARROW = '(?:->|<->|<-)';
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
/** Whole steps of a path from its start: `->edge{1..3}->table` or `->edge->?`. */
const STEPS = `(?:^|[\\s,(=])(?:${ARROW}${NAME}(?:\\{[0-9.]*\\})?${ARROW}(?:${NAME}|\\?))*`;
const TARGET_AT_END = new RegExp(`${STEPS}${ARROW}${NAME}(?:\\{[0-9.]*\\})?${ARROW}$`);
const EDGE_AT_END = new RegExp(`${STEPS}${ARROW}$`);

function signatures(f: FunctionDef): string {
  return f.signatures.map((s) => signatureText(f.name, s)).join('\n');
}

function columnsOf(rel: RelationInfo): CompletionItem[] {
  if (rel.kind !== 'table') return [];
  return rel.columns.map((c) => ({ label: c.name, kind: 'column', detail: `${typeName(c.type)}${c.nullable ? '' : ' not null'} (${rel.name})` }));
}

/**
 * The name being typed at `at` follows a table-introducing keyword (`FROM`, `JOIN`, `INTO`, `UPDATE`,
 * `TABLE`), possibly after earlier tables of a `FROM a, b x, ` list.
 */
function afterTableKeyword(text: string, at: number): boolean {
  return /\b(?:from|join|into|update|table)\s+(?:[A-Za-z_]\w*(?:\s+(?:as\s+)?[A-Za-z_]\w*)?\s*,\s*)*$/i.test(text.slice(0, at));
}

/** The catalog tables a statement's text names after FROM/JOIN/UPDATE/INTO, parsed or not. */
function tablesOfStatement(a: Analysis, range: { start: number; end: number }): RelationInfo[] {
  const text = a.text.slice(range.start, range.end);
  const out: RelationInfo[] = [];
  for (const m of text.matchAll(/\b(?:from|join|update|into)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)) {
    const r = a.relation(m[1]!);
    if (r && !out.includes(r)) out.push(r);
  }
  return out;
}

/** `qualifier` as an alias written in the statement's text (`FROM people p`), when the statement does not parse. */
function tableNamedInStatement(a: Analysis, range: { start: number; end: number }, qualifier: string): RelationInfo | undefined {
  const text = a.text.slice(range.start, range.end);
  for (const m of text.matchAll(/\b(?:from|join|update|into)\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+(?:as\s+)?([A-Za-z_][A-Za-z0-9_]*))?/gi)) {
    if (m[2]?.toLowerCase() === qualifier) return a.relation(m[1]!);
  }
  return undefined;
}
