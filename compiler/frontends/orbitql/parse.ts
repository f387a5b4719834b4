// Parsing OrbitQL scripts: split on top-level `;`, match each statement with the OrbitQL grammar, rewrite
// its OrbitQL forms into SQL text, resolve `$name` variables, and parse that text with the SQL front end.

import { diagnostic, type Diagnostic, type Span } from '../../diagnostics/index.ts';
import { parseStatement, syntaxError } from '../sql/parse.ts';
import { splitStatements } from '../sql/split.ts';
import type { Edit, FillSpec, LiveSpec, OrbitStatement } from './ast.ts';
import type { StatementCache } from './cache.ts';
import { SpanMap } from './span-map.ts';
import { matchOrbitStatement, type OrbitClauses } from './to-ast.ts';
import { vectorTypeDiagnostics } from './vector-types.ts';

export interface OrbitParseResult {
  readonly statements: OrbitStatement[];
  readonly diagnostics: Diagnostic[];
  /**
   * The `$name` parameters the script uses without a LET, in order of first use: parameter `$k` of the
   * SQL equivalents is the k-th of them, so values supplied by name line up with `paramsByName`.
   */
  readonly paramNames: string[];
}

/**
 * Parses a script. Spans in diagnostics are offsets into `source`. A statement that fails to parse is
 * reported once and left out; the others still parse. Never throws for the user's input.
 */
export function parseOrbitQL(source: string, cache?: StatementCache): OrbitParseResult {
  const statements: OrbitStatement[] = [];
  const diagnostics: Diagnostic[] = [];
  const paramNames: string[] = [];
  const lets = new Map<string, string>();
  for (const range of splitStatements(source)) {
    const text = source.slice(range.start, range.end);
    const span = { start: range.start, end: range.end };
    let m: ReturnType<typeof matchOrbitStatement>;
    try {
      m = cache ? cache.get(`match\u0000${text}`, () => matchOrbitStatement(text)) : matchOrbitStatement(text);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      diagnostics.push(diagnostic('statement_too_complex', 'statement is nested too deeply', span));
      continue;
    }
    if (!m.ok) {
      diagnostics.push(syntaxError(text, range.start, m.failurePos, m.expected));
      continue;
    }
    const forms = m.forms.map((f) => ({ ...f, span: shift(f.span, range.start) }));
    const resolve = (name: string): string => {
      const bound = lets.get(name);
      if (bound !== undefined) return bound;
      let i = paramNames.indexOf(name);
      if (i < 0) i = paramNames.push(name) - 1;
      return `$${i + 1}`;
    };
    if (m.let && m.clauses.fill) {
      // A LET value runs where the variable is used, inside another statement: it has no plan of its own to fill.
      diagnostics.push(diagnostic('feature_not_supported', 'FILL applies to a statement\'s own GROUP BY, not to a LET value', shift(m.clauses.fill.span, range.start)));
      continue;
    }
    if (m.let) {
      const { sql } = rewrite(text, m.let.valueStart, m.let.valueEnd, m.edits, resolve, range.start);
      const valueSql = `(${sql})`;
      lets.set(m.let.name, valueSql);
      statements.push({
        kind: 'let',
        name: m.let.name,
        nameSpan: { start: range.start + m.let.nameStart, end: range.start + m.let.nameEnd },
        valueSql,
        valueSpan: { start: range.start + m.let.valueStart, end: range.start + m.let.valueEnd },
        span,
        text,
        forms,
      });
      continue;
    }
    const { sql, map } = rewrite(text, 0, text.length, m.edits, resolve, range.start);
    const parsed = cache ? cache.get(`sql\u0000${sql}`, () => parseStatement(sql)) : parseStatement(sql);
    if (!parsed.ast) {
      for (const d of parsed.diagnostics) diagnostics.push({ ...d, span: map.span(d.span) });
      continue;
    }
    // Only statements that name a vector type need the walk (it runs on every edit in the editor).
    const vectorErrors = /vector/i.test(sql) ? vectorTypeDiagnostics(parsed.ast, map) : [];
    if (vectorErrors.length > 0) {
      diagnostics.push(...vectorErrors);
      continue;
    }
    statements.push({ kind: 'statement', ast: parsed.ast, sql, map, span, text, forms, ...clausesOf(m.clauses, text, m.edits, resolve, range.start), ...(m.clauses.ensure ? { ensure: m.clauses.ensure } : {}), ...(m.clauses.traverseWhere ? { traverseWhere: true as const } : {}), ...(m.clauses.layout ? { layout: m.clauses.layout.map((p) => (typeof p === 'string' ? p : shift(p, range.start))) } : {}), ...(m.clauses.fetch ? { fetch: { names: m.clauses.fetch.names, span: { start: range.start + m.clauses.fetch.start, end: range.start + m.clauses.fetch.end } } } : {}) });
  }
  return { statements, diagnostics, paramNames };
}

/** The LIVE prefix and FILL clause of a statement, with script offsets; a FILL constant as SQL text. */
function clausesOf(c: OrbitClauses, text: string, edits: readonly Edit[], resolve: (name: string) => string, base: number): { fill?: FillSpec; live?: LiveSpec } {
  const out: { fill?: FillSpec; live?: LiveSpec } = {};
  if (c.live) out.live = { diff: c.live.diff, span: { start: base + c.live.start, end: base + c.live.end } };
  if (c.fill) {
    const span = shift(c.fill.span, base);
    const { valueStart, valueEnd } = c.fill;
    out.fill =
      valueStart !== undefined && valueEnd !== undefined
        ? { mode: c.fill.mode, span, valueSql: `(${rewrite(text, valueStart, valueEnd, edits, resolve, base).sql})` }
        : { mode: c.fill.mode, span };
  }
  return out;
}

/** Applies the rewrites inside `[from, to)` of `text`; the map gives script offsets (`base` added). */
function rewrite(text: string, from: number, to: number, edits: readonly Edit[], resolve: (name: string) => string, base: number): { sql: string; map: SpanMap } {
  const map = new SpanMap();
  let sql = '';
  let at = from;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    if (e.start < at || e.end > to) continue;
    if (e.start > at) {
      map.add(e.start - at, base + at, base + e.start, true);
      sql += text.slice(at, e.start);
    }
    const piece = e.kind === 'text' ? e.text : resolve(e.name);
    map.add(piece.length, base + e.start, base + e.end, false);
    sql += piece;
    at = e.end;
  }
  if (to > at) {
    map.add(to - at, base + at, base + to, true);
    sql += text.slice(at, to);
  }
  return { sql, map };
}

function shift(s: Span, by: number): Span {
  return { start: s.start + by, end: s.end + by };
}

