// One analysis of a document: its OrbitQL statements compiled against the catalog, plus lookups over them.

import type { Catalog, RelationInfo } from '../catalog/index.ts';
import type { Span } from '../diagnostics/index.ts';
import { compileOrbitQL, type CompiledOrbitStatement, type StatementCache } from '../frontends/orbitql/index.ts';
import type * as A from '../frontends/sql/ast.ts';
import { splitStatements } from '../frontends/sql/split.ts';

/** A name a statement defines: a table alias, a CTE or (script-wide) a LET variable. */
export interface Definition {
  readonly kind: 'alias' | 'cte' | 'variable';
  readonly name: string;
  readonly span: Span;
  /** For an alias: the table it stands for. */
  readonly table?: string;
  /** The statement it belongs to (variables: the whole script from the LET on). */
  readonly scope: Span;
}

/** A document compiled once; every request of the language service reads it. */
export class Analysis {
  readonly statements: readonly CompiledOrbitStatement[];
  readonly definitions: readonly Definition[];

  constructor(
    readonly text: string,
    readonly catalog: Catalog,
    cache?: StatementCache,
  ) {
    this.statements = compileOrbitQL(text, catalog, { plan: false, ...(cache ? { cache } : {}) }).statements;
    this.definitions = this.statements.flatMap((s) => definitionsOf(s, text.length, cache));
  }

  /** The compiled statement around `offset` (its text range, `;` excluded), if any. */
  statementAt(offset: number): CompiledOrbitStatement | undefined {
    return this.statements.find((s) => s.statement && s.span.start <= offset && offset <= s.span.end);
  }

  /** The range of the script's statement around `offset`, parsed or not. */
  rangeAt(offset: number): Span {
    const before = splitStatements(this.text).filter((x) => x.start <= offset);
    const r = before[before.length - 1];
    // Past a statement's `;` the cursor starts a new one.
    if (!r || this.text.slice(r.end, offset).includes(';')) return { start: offset, end: offset };
    return { start: r.start, end: Math.max(r.end, offset) };
  }

  /** Definitions visible at `offset`. */
  visibleAt(offset: number): Definition[] {
    return this.definitions.filter((d) => d.scope.start <= offset && offset <= d.scope.end);
  }

  relation(name: string): RelationInfo | undefined {
    return this.catalog.getRelation(undefined, name.toLowerCase());
  }
}

/**
 * The aliases and CTEs a statement defines (a LET: its variable). Walking a statement's tree is the
 * costliest part of an analysis, so with a cache the walk is done once per statement text, its spans
 * kept relative to the statement and moved to where the statement is now.
 */
function definitionsOf(s: CompiledOrbitStatement, textLength: number, cache?: StatementCache): Definition[] {
  const st = s.statement;
  if (!st) return [];
  if (st.kind === 'let') return [{ kind: 'variable', name: st.name, span: st.nameSpan, scope: { start: st.span.end, end: textLength } }];
  if (!cache) return walkDefinitions(s);
  const base = s.span.start;
  const move = (x: Span, by: number): Span => ({ start: x.start + by, end: x.end + by });
  const relative = cache.get(`defs\u0000${st.text}\u0000${st.sql}`, () => walkDefinitions(s).map((d) => ({ ...d, span: move(d.span, -base), scope: move(d.scope, -base) })));
  return relative.map((d) => ({ ...d, span: move(d.span, base), scope: move(d.scope, base) }));
}

function walkDefinitions(s: CompiledOrbitStatement): Definition[] {
  const st = s.statement;
  if (st?.kind !== 'statement') return [];
  const out: Definition[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const x of node) visit(x);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n['kind'] === 'table-ref') {
      const ref = n as unknown as A.TableRef;
      const table = ref.name.parts[ref.name.parts.length - 1]!.name;
      if (ref.alias) out.push({ kind: 'alias', name: ref.alias.name.name, span: st.map.span(ref.alias.name.span), table, scope: s.span });
    } else if (n['kind'] === 'derived-table' || n['kind'] === 'function-table') {
      const alias = (n as unknown as A.DerivedTable).alias;
      if (alias) out.push({ kind: 'alias', name: alias.name.name, span: st.map.span(alias.name.span), scope: s.span });
    } else if (n['kind'] === 'cte') {
      const cte = n as unknown as A.Cte;
      out.push({ kind: 'cte', name: cte.name.name, span: st.map.span(cte.name.span), scope: s.span });
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'span' && v && typeof v === 'object') visit(v);
  };
  visit(st.ast);
  return out;
}

/** The word (letters, digits, `_`, `$`, `:`) around `offset`, with its range. */
export function wordAt(text: string, offset: number): { word: string; span: Span } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$:]/.test(c);
  let start = offset;
  let end = offset;
  while (start > 0 && isWord(text[start - 1])) start--;
  while (end < text.length && isWord(text[end])) end++;
  if (start === end) return undefined;
  return { word: text.slice(start, end), span: { start, end } };
}
