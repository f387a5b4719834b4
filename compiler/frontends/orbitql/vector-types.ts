// Checks of vector types in an OrbitQL statement's SQL equivalent that need no catalog: a `vector` with
// no dimension, and a constant cast into `vector(n)` with a different number of elements.

import { diagnostic, type Diagnostic, type Span } from '../../diagnostics/index.ts';
import type * as A from '../sql/ast.ts';
import type { SpanMapping } from './span-map.ts';

/**
 * The diagnostics for the vector types in `ast` (spans of the SQL text it was parsed from, mapped to the
 * script by `map`). A constant's dimension is known before anything runs, so a mismatch is reported
 * here, where an editor shows it, instead of only when the statement runs.
 */
export function vectorTypeDiagnostics(ast: A.Statement, map: SpanMapping): Diagnostic[] {
  const out: Diagnostic[] = [];
  // A type written inside `<type>` sits in generated text, which maps to an empty span: point at the cast.
  const at = (inner: Span, outer: Span): Span => {
    const s = map.span(inner);
    return s.end > s.start ? s : map.span(outer);
  };
  const checkType = (t: A.TypeName, outer: Span): boolean => {
    if (t.name !== 'vector' || t.modifiers.length > 0) return true;
    out.push(diagnostic('undefined_object', 'type "vector" needs a dimension', at(t.span, outer), { hint: 'write vector(n) for a vector of n numbers, as in <vector(3)>[1, 2, 3]' }));
    return false;
  };
  const visit = (node: unknown, outer: Span): void => {
    if (Array.isArray(node)) {
      for (const x of node) visit(x, outer);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as { kind?: unknown; span?: Span };
    if (n.kind === 'type-name') {
      checkType(n as A.TypeName, outer);
      return;
    }
    if (n.kind === 'cast') {
      const c = n as A.CastExpr;
      if (checkType(c.type, c.span)) {
        const dimension = c.type.name === 'vector' && c.type.arrayDims === 0 ? c.type.modifiers[0] : undefined;
        const count = dimension === undefined ? undefined : constantLength(c.expr);
        if (count !== undefined && count !== dimension) {
          out.push(diagnostic('invalid_parameter_value', `expected ${dimension} dimensions, not ${count}`, map.span(c.span)));
        }
      }
      visit(c.expr, c.span);
      return;
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'span') visit(v, n.span ?? outer);
  };
  visit(ast, { start: 0, end: 0 });
  return out;
}

/** How many numbers a constant vector operand holds: `ARRAY[…]` of scalars, or text such as `'[1, 2]'`; undefined when not known before it runs. */
function constantLength(e: A.Expr): number | undefined {
  if (e.kind === 'array') return e.elements.some((x) => x.kind === 'array') ? undefined : e.elements.length;
  if (e.kind === 'literal' && e.value.kind === 'string') {
    const m = /^\s*\[(.*)\]\s*$/s.exec(e.value.value);
    if (!m) return undefined;
    const items = m[1]!.trim() === '' ? [] : m[1]!.split(',');
    return items.every((x) => x.trim() !== '' && Number.isFinite(Number(x))) ? items.length : undefined;
  }
  return undefined;
}
