// Hover and go to definition: types from the bound IR and the catalog, definitions of aliases, CTEs and LET variables.

import type { Span } from '../diagnostics/index.ts';
import { lookupFunction, type ArgSpec, type Signature } from '../functions/index.ts';
import { registryName } from '../frontends/orbitql/index.ts';
import type * as A from '../frontends/sql/ast.ts';
import { typeName, type DataType } from '../ir/types.ts';
import { wordAt, type Analysis } from './analysis.ts';

export interface Hover {
  readonly span: Span;
  /** Markdown. */
  readonly contents: string;
}

function argText(a: ArgSpec): string {
  return a === 'any' ? 'any' : a === 'elem' ? 'anyelement' : a === 'array' ? 'anyarray' : typeName(a);
}

/** `name(arg, …) → result`, as a function's signature reads in docs. */
export function signatureText(name: string, s: Signature): string {
  const args = s.args.map(argText);
  if (s.variadic && args.length > 0) args[args.length - 1] = `VARIADIC ${args[args.length - 1]}`;
  const result = typeof s.result === 'function' ? 'depends on arguments' : s.result === 'elem' ? 'anyelement' : s.result === 'array' ? 'anyarray' : typeName(s.result);
  return `${name}(${args.join(', ')}) → ${result}`;
}

function typeText(t: DataType, nullable: boolean): string {
  return `${typeName(t)}${nullable ? '' : ' not null'}`;
}

/**
 * What is under the cursor: a select item's result type (from the bound plan), a function's signatures,
 * a table's columns, a column's type, an alias's table, a variable's value type.
 */
export function hover(a: Analysis, offset: number): Hover | undefined {
  const w = wordAt(a.text, offset);
  const s = a.statementAt(offset);
  const word = w?.word.toLowerCase();
  if (!w || !word) return s ? selectItemAt(s, offset) : undefined;
  {
    if (word.includes('::') || a.text[w.span.end] === '(') {
      const target = registryName(word) ?? word;
      const f = lookupFunction(target);
      if (f) {
        const sigs = f.signatures.map((sg) => signatureText(target, sg)).join('\n');
        const via = target === word ? '' : `\`${word}\` calls \`${target}\`\n\n`;
        return { span: w.span, contents: `${via}\`\`\`\n${sigs}\n\`\`\`` };
      }
    }
    if (word.startsWith('$')) {
      const d = a.visibleAt(offset).find((x) => x.kind === 'variable' && `$${x.name}` === word);
      const let_ = a.statements.find((x) => x.statement?.kind === 'let' && d && x.span.start <= d.span.start && d.span.start <= x.span.end);
      const col = let_?.bound?.kind === 'query' ? let_.bound.plan.schema[0] : undefined;
      if (col) return { span: w.span, contents: `\`${word}\`: ${typeText(col.type, col.nullable)}` };
      return { span: w.span, contents: `\`${word}\`: a parameter supplied with the statement` };
    }
    const alias = a.visibleAt(offset).find((d) => d.name === word && d.kind !== 'variable');
    if (alias) return { span: w.span, contents: `${alias.kind === 'cte' ? 'WITH query' : 'alias'} \`${alias.name}\`${alias.table ? ` for table \`${alias.table}\`` : ''}` };
    const item = s ? selectItemAt(s, offset) : undefined;
    if (item) return item;
    const rel = a.relation(word);
    if (rel?.kind === 'table') {
      const cols = rel.columns.map((c) => `- \`${c.name}\` ${typeText(c.type, c.nullable)}`).join('\n');
      return { span: w.span, contents: `table \`${rel.name}\`\n\n${cols}` };
    }
    for (const name of tablesIn(a, offset)) {
      const r = a.relation(name);
      const c = r?.kind === 'table' ? r.columns.find((x) => x.name === word.split('.').pop()) : undefined;
      if (c) return { span: w.span, contents: `\`${r!.name}.${c.name}\`: ${typeText(c.type, c.nullable)}` };
    }
  }
  return undefined;
}

/** The result column of the select item under the cursor, with its type from the bound plan. */
function selectItemAt(s: NonNullable<ReturnType<Analysis['statementAt']>>, offset: number): Hover | undefined {
  const st = s.statement;
  if (st?.kind !== 'statement' || st.ast.kind !== 'query-statement' || s.bound?.kind !== 'query') return undefined;
  const body = st.ast.query.body;
  if (body.kind !== 'select') return undefined;
  const items = body.items as readonly A.SelectItem[];
  if (items.some((i) => i.expr.kind === 'star')) return undefined;
  const i = items.findIndex((it) => {
    const span = st.map.span(it.span);
    return span.start <= offset && offset <= span.end;
  });
  const col = i >= 0 ? s.bound.plan.schema[i] : undefined;
  if (!col) return undefined;
  // Whole-expression hovers only: a word inside the item is better served by its own hover.
  return { span: st.map.span(items[i]!.span), contents: `\`${col.name}\`: ${typeText(col.type, col.nullable)}` };
}

function tablesIn(a: Analysis, offset: number): string[] {
  const r = a.rangeAt(offset);
  const text = a.text.slice(r.start, r.end);
  return [...text.matchAll(/\b(?:from|join|update|into)\s+([A-Za-z_][A-Za-z0-9_]*)/gi)].map((m) => m[1]!.toLowerCase());
}

/** Where the alias, CTE or LET variable under the cursor is defined. */
export function definition(a: Analysis, offset: number): Span | undefined {
  const w = wordAt(a.text, offset);
  if (!w) return undefined;
  // `p.name`: the qualifier is the part before the dot.
  const dot = w.word.indexOf('.');
  const word = (dot >= 0 && offset - w.span.start <= dot ? w.word.slice(0, dot) : w.word).toLowerCase();
  const name = word.startsWith('$') ? word.slice(1) : word;
  const d = a.visibleAt(offset).find((x) => x.name.toLowerCase() === name && (x.kind === 'variable') === word.startsWith('$'));
  return d?.span;
}
