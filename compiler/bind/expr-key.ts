// Structural keys of bound expressions: GROUP BY matching, aggregate/window deduplication, ORDER BY ↔ select-list matching.

import type { Expr } from '../ir/expr.ts';
import { typeName } from '../ir/types.ts';

const valueKey = (v: unknown): string => {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `x${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  return JSON.stringify(v) ?? 'undefined';
};

/** A string equal for two expressions exactly when they compute the same thing (nullability aside). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return `#${e.id}`;
    case 'literal':
      return `${valueKey(e.value)}::${typeName(e.type)}`;
    case 'param':
      return `$${e.index}::${typeName(e.type)}`;
    case 'call':
      return `${e.fn}(${e.args.map(exprKey).join(',')})`;
    case 'cast':
      return `(${exprKey(e.expr)})::${typeName(e.type)}`;
    case 'case':
      return `case(${e.whens.map((w) => `${exprKey(w.when)}?${exprKey(w.then)}`).join(';')}:${e.else ? exprKey(e.else) : ''})`;
    case 'subquery':
      return `subquery${e.id}`;
  }
}
