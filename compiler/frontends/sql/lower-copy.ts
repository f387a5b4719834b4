// Lowers COPY … FROM STDIN / TO STDOUT: options checked and defaulted, the rows' plan bound as an INSERT or a query.

import type { BoundStatement, CopyFormat } from '../../ir/plan.ts';
import type { BindContext } from '../../bind/context.ts';
import type * as A from './ast.ts';
import { bindQuery } from './lower-query.ts';
import { bindInsert } from './lower-write.ts';

/** Checks the options the way PostgreSQL's COPY does (one character delimiters and quotes, no repeats). */
function copyFormat(s: A.CopyStatement, ctx: BindContext): CopyFormat | undefined {
  const seen = new Set<string>();
  let format: CopyFormat['format'] = 'text';
  let header = false;
  let delimiter: string | undefined;
  let nullText: string | undefined;
  let quote: string | undefined;
  let escape: string | undefined;
  const bool = (o: A.CopyOption): boolean | undefined => {
    const v = (o.value ?? 'true').toLowerCase();
    if (['true', 'on', '1'].includes(v)) return true;
    if (['false', 'off', '0'].includes(v)) return false;
    ctx.error('syntax_error', `${o.name} requires a Boolean value`, o.span);
    return undefined;
  };
  const char = (o: A.CopyOption): string | undefined => {
    if (o.value === undefined || [...o.value].length !== 1) {
      ctx.error('feature_not_supported', `COPY ${o.name} must be a single one-byte character`, o.span);
      return undefined;
    }
    return o.value;
  };
  for (const o of s.options) {
    // The pre-9.0 keyword form spells the format as a flag: `CSV`, `BINARY`.
    const name = o.name === 'csv' || o.name === 'binary' ? 'format' : o.name;
    const value = o.name === 'csv' || o.name === 'binary' ? o.name : o.value;
    if (seen.has(name)) {
      ctx.error('syntax_error', 'conflicting or redundant options', o.span);
      return undefined;
    }
    seen.add(name);
    switch (name) {
      case 'format': {
        const f = value?.toLowerCase();
        if (f === 'text' || f === 'csv' || f === 'binary') format = f;
        else {
          ctx.error('invalid_parameter_value', `COPY format "${value ?? ''}" not recognized`, o.span);
          return undefined;
        }
        break;
      }
      case 'header': {
        const b = bool(o);
        if (b === undefined) return undefined;
        header = b;
        break;
      }
      case 'delimiter':
        delimiter = char(o);
        if (delimiter === undefined) return undefined;
        break;
      case 'null':
        if (o.value === undefined) {
          ctx.error('syntax_error', 'null requires a parameter', o.span);
          return undefined;
        }
        nullText = o.value;
        break;
      case 'quote':
        quote = char(o);
        if (quote === undefined) return undefined;
        break;
      case 'escape':
        escape = char(o);
        if (escape === undefined) return undefined;
        break;
      case 'encoding':
        if (!['utf8', 'utf-8', 'unicode', 'sql_ascii'].includes((o.value ?? '').toLowerCase())) {
          ctx.error('feature_not_supported', `COPY encoding "${o.value ?? ''}" is not supported: data is UTF-8`, o.span);
          return undefined;
        }
        break;
      default:
        ctx.error('syntax_error', `option "${o.name}" not recognized`, o.span);
        return undefined;
    }
  }
  const csv = format === 'csv';
  if (format === 'binary') {
    const given = delimiter !== undefined ? 'DELIMITER' : nullText !== undefined ? 'NULL' : header ? 'HEADER' : undefined;
    if (given !== undefined) {
      ctx.error('syntax_error', `cannot specify ${given} in BINARY mode`, s.span);
      return undefined;
    }
  }
  if (!csv && (quote !== undefined || escape !== undefined)) {
    ctx.error('feature_not_supported', `COPY ${quote !== undefined ? 'quote' : 'escape'} available only in CSV mode`, s.span);
    return undefined;
  }
  if (!csv && header) {
    ctx.error('feature_not_supported', 'COPY HEADER available only in CSV mode', s.span);
    return undefined;
  }
  const d = delimiter ?? (csv ? ',' : '\t');
  if (d === '\r' || d === '\n' || (!csv && d === '\\') || (csv && d === (quote ?? '"'))) {
    ctx.error('invalid_parameter_value', 'COPY delimiter cannot be newline, carriage return, backslash (text) or the quote character (CSV)', s.span);
    return undefined;
  }
  const q = quote ?? '"';
  return { format, delimiter: d, null: nullText ?? (csv ? '' : '\\N'), header, quote: q, escape: escape ?? q };
}

/** Lowers a COPY statement; undefined when it has errors (the context holds their diagnostics). */
export function bindCopy(s: A.CopyStatement, ctx: BindContext): BoundStatement | undefined {
  const format = copyFormat(s, ctx);
  if (!format) return undefined;
  if (s.direction === 'from') {
    // Each row read becomes the parameters of a one-row INSERT: defaults, coercions and constraints stay the INSERT's.
    const rel = ctx.catalog.getRelation(s.table!.parts.length > 1 ? s.table!.parts[0]!.name : undefined, s.table!.parts[s.table!.parts.length - 1]!.name);
    const columns = s.columns.length > 0 ? s.columns : rel?.kind === 'table' ? rel.columns.map((c) => ({ kind: 'ident' as const, name: c.name, quoted: true, span: s.table!.span })) : [];
    const insert: A.InsertStatement = {
      kind: 'insert',
      table: s.table!,
      columns,
      source: { kind: 'values', rows: [columns.map((c, i) => ({ kind: 'param' as const, index: i + 1, span: c.span }))] },
      span: s.span,
    };
    const plan = bindInsert(insert, { ctx });
    if (!plan || ctx.hasErrors) return undefined;
    return { kind: 'copy', direction: 'from', plan, params: ctx.paramTypes(), format, columns: columns.map((c) => c.name) };
  }
  const query: A.Query =
    s.query ??
    {
      kind: 'query',
      body: {
        kind: 'select',
        distinct: false,
        distinctOn: [],
        items:
          s.columns.length > 0
            ? s.columns.map((c) => ({ kind: 'select-item' as const, expr: { kind: 'column-ref' as const, name: { kind: 'qname' as const, parts: [c], span: c.span }, span: c.span }, span: c.span }))
            : [{ kind: 'select-item', expr: { kind: 'star', span: s.table!.span }, span: s.table!.span }],
        from: [{ kind: 'table-ref', name: s.table!, span: s.table!.span }],
        groupBy: [],
        windows: [],
        span: s.span,
      },
      orderBy: [],
      fetch: false,
      span: s.span,
    };
  const plan = bindQuery(query, { ctx });
  if (ctx.hasErrors) return undefined;
  return { kind: 'copy', direction: 'to', plan, params: ctx.paramTypes(), format, columns: plan.schema.map((c) => c.name) };
}
