// Helpers for the SQL parser tests: parse-or-fail, expression S-expressions, span stripping.

import { expect } from 'bun:test';
import { parseSql, parseStatement } from '../../compiler/frontends/sql/index.ts';
import type * as A from '../../compiler/frontends/sql/ast.ts';

/** Parses one statement and fails the test with the diagnostic if it does not parse. */
export function parseOne(sql: string): A.Statement {
  const r = parseStatement(sql);
  if (!r.ast) throw new Error(`expected ${JSON.stringify(sql)} to parse: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  expect(r.diagnostics).toEqual([]);
  return r.ast;
}

export function parseQuery(sql: string): A.Query {
  const s = parseOne(sql);
  if (s.kind !== 'query-statement') throw new Error(`expected a query, got ${s.kind}`);
  return s.query;
}

export function parseSelect(sql: string): A.Select {
  const b = parseQuery(sql).body;
  if (b.kind !== 'select') throw new Error(`expected a select body, got ${b.kind}`);
  return b;
}

/** The first select item of `SELECT <expr>`. */
export function parseExpr(expr: string): A.Expr {
  return parseSelect(`SELECT ${expr}`).items[0]!.expr;
}

function name(q: A.QName): string {
  return q.parts.map((p) => (p.quoted ? `"${p.name}"` : p.name)).join('.');
}

/** A compact prefix rendering that makes grouping and precedence explicit. */
export function sx(e: A.Expr): string {
  switch (e.kind) {
    case 'column-ref':
      return name(e.name);
    case 'star':
      return e.table ? `${name(e.table)}.*` : '*';
    case 'literal': {
      const v = e.value;
      if (v.kind === 'null') return 'null';
      if (v.kind === 'bool') return String(v.value);
      if (v.kind === 'string') return `'${v.value}'`;
      return `${v.kind}:${v.text}`;
    }
    case 'param':
      return `$${e.index}`;
    case 'unary':
      return `(${e.op} ${sx(e.operand)})`;
    case 'binary':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'func-call': {
      const args = e.star ? '*' : (e.distinct ? 'distinct ' : '') + e.args.map(sx).join(' ');
      let out = `${name(e.name)}[${args}]`;
      if (e.orderBy.length > 0) out += ` order(${e.orderBy.map((o) => sx(o.expr) + (o.direction ? ' ' + o.direction : '')).join(', ')})`;
      if (e.filter) out += ` filter(${sx(e.filter)})`;
      if (e.over) out += ' over';
      return out;
    }
    case 'case':
      return `(case${e.operand ? ' ' + sx(e.operand) : ''}${e.whens.map((w) => ` (${sx(w.when)} ${sx(w.then)})`).join('')}${e.else ? ' else ' + sx(e.else) : ''})`;
    case 'cast':
      return `(cast ${sx(e.expr)} ${typeText(e.type)})`;
    case 'subquery':
      return e.array ? '(array-subquery)' : '(subquery)';
    case 'exists':
      return '(exists)';
    case 'in-list':
      return `(${e.negated ? 'not-in' : 'in'} ${sx(e.expr)} ${e.list.map(sx).join(' ')})`;
    case 'in-subquery':
      return `(${e.negated ? 'not-in' : 'in'} ${sx(e.expr)} (subquery))`;
    case 'quantified':
      return `(${e.op} ${e.quantifier} ${sx(e.expr)} ${e.source.kind === 'query' ? '(subquery)' : sx(e.source.expr)})`;
    case 'between':
      return `(${e.negated ? 'not-' : ''}between${e.symmetric ? '-symmetric' : ''} ${sx(e.expr)} ${sx(e.low)} ${sx(e.high)})`;
    case 'like':
      return `(${e.negated ? 'not-' : ''}${e.caseInsensitive ? 'ilike' : 'like'} ${sx(e.expr)} ${sx(e.pattern)}${e.escape ? ' ' + sx(e.escape) : ''})`;
    case 'is': {
      const t = e.test.kind === 'distinct-from' ? `distinct-from ${sx(e.test.other)}` : e.test.kind;
      return `(is${e.negated ? '-not' : ''} ${sx(e.expr)} ${t})`;
    }
    case 'array':
      return `[${e.elements.map(sx).join(' ')}]`;
    case 'subscript':
      return e.slice ? `(slice ${sx(e.expr)} ${sx(e.index)} ${e.upper ? sx(e.upper) : '_'})` : `(index ${sx(e.expr)} ${sx(e.index)})`;
    case 'row':
      return `(row${e.explicit ? '!' : ''} ${e.fields.map(sx).join(' ')})`;
    case 'typed-literal':
      return `${typeText(e.type)}'${e.value}'`;
    case 'interval-literal':
      return `interval'${e.value}'${e.unit ? ' ' + e.unit : ''}`;
    case 'extract':
      return `(extract ${e.field} ${sx(e.expr)})`;
  }
}

export function typeText(t: A.TypeName): string {
  return t.name + (t.modifiers.length > 0 ? `(${t.modifiers.join(',')})` : '') + '[]'.repeat(t.arrayDims);
}

/** Drops what a re-parse cannot reproduce: spans, a view's captured source text, and absent optionals. */
export function stripSpans(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripSpans);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'span' || k === 'queryText' || x === undefined) continue;
      out[k] = stripSpans(x);
    }
    return out;
  }
  return v;
}

export { parseSql, parseStatement };
