// Canonical OrbitQL text (`orbit fmt`, LSP formatting): the SQL formatter's layout over each statement's
// SQL tree, with the OrbitQL forms, LIVE and FILL printed back in OrbitQL.

import type { Diagnostic } from '../../diagnostics/index.ts';
import type * as A from '../sql/ast.ts';
import { formatSql, type FormatHooks } from '../sql/format.ts';
import type { OrbitForm, OrbitStatement, QueryStatement } from './ast.ts';
import { parseOrbitQL } from './parse.ts';

/**
 * The canonical text of one parsed statement (no trailing `;`). `source` is the script the statement's
 * spans point into. Parsing the result gives the same statement (its SQL tree, forms and clauses).
 */
export function formatOrbitStatement(stmt: OrbitStatement, source: string): string {
  if (stmt.kind === 'let') return `LET $${stmt.name} = ${formatLetValue(source.slice(stmt.valueSpan.start, stmt.valueSpan.end))}`;
  const live = stmt.live ? `LIVE ${stmt.live.diff ? 'DIFF ' : ''}` : '';
  // A statement rewritten whole (RELATE, TRAVERSE, CREATE, …) prints from its layout, not its SQL.
  const body = stmt.layout ? stmt.layout.map((p) => (typeof p === 'string' ? p : formatExpr(source.slice(p.start, p.end)))).join('') : formatSql(stmt.ast, hooksFor(stmt, source));
  const fetch = stmt.fetch ? `\nFETCH ${stmt.fetch.names.map(fetchName).join(', ')}` : '';
  return live + body + fetch;
}

/** A FETCH name: a lower-case word as it is, anything else quoted (the parser lower-cases words). */
function fetchName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** An expression in canonical form (formatted as the item of `SELECT expr`); as written if it will not. */
function formatExpr(text: string): string {
  if (!hasComments(text)) {
    const src = `SELECT ${text}`;
    const p = parseOrbitQL(src);
    const st = p.statements[0];
    if (p.diagnostics.length === 0 && p.statements.length === 1 && st?.kind === 'statement' && !st.layout && !st.fetch) {
      const out = formatOrbitStatement(st, src);
      if (out.startsWith('SELECT ')) return out.slice('SELECT '.length);
    }
  }
  return text.trim();
}

/**
 * A LET value in canonical form: an expression formatted as the item of `SELECT value`, a query as a
 * statement of its own. Variables in it stay `$name`s. Text that does not format alone stays as written.
 */
function formatLetValue(text: string): string {
  if (!hasComments(text)) {
    for (const [prefix, src] of [['SELECT ', `SELECT ${text}`], ['', text]] as const) {
      const p = parseOrbitQL(src);
      const st = p.statements[0];
      if (p.diagnostics.length > 0 || p.statements.length !== 1 || st?.kind !== 'statement') continue;
      const out = formatOrbitStatement(st, src);
      if (out.startsWith(prefix)) return out.slice(prefix.length);
    }
  }
  return text.trim();
}

/** Whether a statement has comments, which the tree does not keep: formatting leaves it as written. */
export function hasComments(text: string): boolean {
  return /--|\/\*/.test(text);
}

/**
 * Formats a script: each statement canonical and ending in `;`, separated by a blank line (a statement
 * with comments is kept as written). A script with syntax errors is not formatted: its diagnostics return.
 */
export function formatOrbitQL(source: string): { text?: string; diagnostics: Diagnostic[] } {
  const parsed = parseOrbitQL(source);
  if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics };
  const pieces: string[] = [];
  let at = 0;
  for (const s of parsed.statements) {
    const before = commentsBetween(source, at, s.span.start);
    pieces.push(before + (hasComments(s.text) ? s.text.trim() : formatOrbitStatement(s, source)) + ';\n');
    at = s.span.end;
  }
  const tail = commentsBetween(source, at, source.length);
  return { text: pieces.join('\n') + (tail ? `\n${tail}` : ''), diagnostics: [] };
}

/** The comments between two statements (`;` and blank space dropped), each on its own line. */
function commentsBetween(source: string, from: number, to: number): string {
  const gap = source.slice(from, to);
  if (!hasComments(gap)) return '';
  const out: string[] = [];
  for (const m of gap.matchAll(/--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g)) out.push(m[0].trimEnd());
  return out.map((c) => `${c}\n`).join('');
}

const WORD_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

const quoteString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function hooksFor(stmt: QueryStatement, source: string): FormatHooks {
  const byStart = new Map<number, OrbitForm[]>();
  for (const f of stmt.forms) byStart.set(f.span.start, [...(byStart.get(f.span.start) ?? []), f]);
  const original = (f: OrbitForm): string => source.slice(f.span.start, f.span.end);
  return {
    expr(e, print) {
      const span = stmt.map.span(e.span);
      if (e.kind === 'subquery') {
        // A path is a subquery; parentheses written around it belong to that subquery's span.
        const path = stmt.forms.find((f) => f.kind === 'graph-path' && f.span.start >= span.start && f.span.end <= span.end);
        if (path && /^[\s(]*$/.test(source.slice(span.start, path.span.start)) && /^[\s)]*$/.test(source.slice(path.span.end, span.end))) {
          const parens = source.slice(span.start, path.span.start).split('(').length - 1;
          return '('.repeat(parens) + original(path) + ')'.repeat(parens);
        }
      }
      const forms = byStart.get(span.start);
      if (!forms) return undefined;
      for (const f of forms) {
        const whole = span.end === f.span.end;
        switch (f.kind) {
          case 'record-id':
            if (!whole || e.kind !== 'literal') break;
            return recordText(original(f));
          case 'duration':
          case 'variable':
            if (whole) return f.kind === 'variable' ? `$${f.name}` : original(f).toLowerCase();
            break;
          case 'function':
            if (e.kind === 'func-call') return `${f.name}(${e.star ? '*' : (e.distinct ? 'DISTINCT ' : '') + e.args.map(print).join(', ')})`;
            break;
          case 'object':
            if (e.kind === 'func-call') return objectText(e, print);
            break;
          case 'array':
            if (e.kind === 'array') return `[${e.elements.map(print).join(', ')}]`;
            break;
          default:
            break;
        }
      }
      return undefined;
    },
    fromItem(f, alias) {
      // `FROM user:alice` reads through a subquery over the record's table, aliased by that table.
      if (f.kind !== 'derived-table') return undefined;
      const span = stmt.map.span(f.span);
      const rid = byStart.get(span.start)?.find((x) => x.kind === 'record-id');
      if (!rid) return undefined;
      return recordText(original(rid)) + (span.end > rid.span.end ? alias : '');
    },
    afterGroupBy(s) {
      const fill = stmt.fill;
      const last = s.groupBy[s.groupBy.length - 1];
      if (!fill || !last) return '';
      // The FILL clause follows the GROUP BY list it ends (a nested SELECT has its own).
      const end = stmt.map.span(last.span).end;
      if (end > fill.span.start || source.slice(end, fill.span.start).trim() !== '') return '';
      if (fill.mode !== 'value') return ` FILL (${fill.mode.toUpperCase()})`;
      const value = /^\s*fill\s*\(([\s\S]*)\)\s*$/i.exec(source.slice(fill.span.start, fill.span.end))?.[1]?.trim() ?? 'NULL';
      return ` FILL (${value})`;
    },
  };
}

/** A record id as written, its table lower-cased. */
function recordText(text: string): string {
  const colon = text.indexOf(':');
  return text.slice(0, colon).toLowerCase() + text.slice(colon);
}

/** `jsonb_build_object('k', v, …)` as the object literal it came from. */
function objectText(e: A.FuncCallExpr, print: (e: A.Expr) => string): string {
  const entries: string[] = [];
  for (let i = 0; i + 1 < e.args.length; i += 2) {
    const k = e.args[i]!;
    const key = k.kind === 'literal' && k.value.kind === 'string' ? k.value.value : print(k);
    entries.push(`${WORD_KEY.test(key) ? key : quoteString(key)}: ${print(e.args[i + 1]!)}`);
  }
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}
