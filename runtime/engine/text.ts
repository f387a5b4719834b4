// PostgreSQL's output text of result values (CLI tables, CSV, text-format wire results).
import type { DataType } from '../../compiler/index.ts';
import { textOf } from '../exec/index.ts';

/**
 * Formats a value of type `t` as PostgreSQL's type output function does; null stays null.
 * The executor's `textOf` is the `::text` cast, which differs only for booleans: boolout prints
 * `t`/`f` (also inside arrays) where the cast gives `true`/`false`.
 */
export function formatValue(v: unknown, t: DataType): string | null {
  if (v === null || v === undefined) return null;
  if (t.kind === 'bool') return v ? 't' : 'f';
  if (t.kind === 'list' && t.element.kind === 'bool') {
    return `{${(v as readonly unknown[]).map((x) => (x === null || x === undefined ? 'NULL' : x ? 't' : 'f')).join(',')}}`;
  }
  return textOf(v, t);
}
