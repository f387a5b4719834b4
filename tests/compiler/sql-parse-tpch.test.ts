// The 22 TPC-H queries (standard text, validation parameters) parse without diagnostics and survive fmt.

import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSql, parseSql } from '../../compiler/frontends/sql/index.ts';
import { stripSpans } from './sql-parse-support.ts';

const dir = join(import.meta.dir, '..', 'fixtures', 'tpch', 'queries');

describe('TPC-H queries', () => {
  for (let i = 1; i <= 22; i++) {
    const file = `q${String(i).padStart(2, '0')}.sql`;
    test(file, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const r = parseSql(text);
      expect(r.diagnostics).toEqual([]);
      expect(r.statements.length).toBe(1);
      const stmt = r.statements[0]!;
      expect(stmt.ast.kind).toBe('query-statement');
      // The statement starts after the header comment and ends before the `;`.
      expect(stmt.text.startsWith(i === 15 ? 'with' : 'select')).toBe(true);
      expect(text.slice(stmt.span.start, stmt.span.end)).toBe(stmt.text);
      const again = parseSql(formatSql(stmt.ast));
      expect(again.diagnostics).toEqual([]);
      expect(stripSpans(again.statements[0]!.ast)).toEqual(stripSpans(stmt.ast));
    });
  }
});
