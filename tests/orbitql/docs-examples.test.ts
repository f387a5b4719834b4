// Every OrbitQL example in docs/orbitql.md parses and binds against the schema the document defines.
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogFromSchema, compileOrbitQL } from '../../compiler/index.ts';

const doc = readFileSync(join(import.meta.dir, '..', '..', 'docs', 'orbitql.md'), 'utf8');
const blocks = [...doc.matchAll(/```(\w+)( schema)?\n([\s\S]*?)```/g)];
const schema = blocks.filter((b) => b[2]).map((b) => b[3]!).join('\n');
const examples = blocks.filter((b) => b[1] === 'oql').map((b) => b[3]!);

describe('docs/orbitql.md', () => {
  test('has a schema and examples', () => {
    expect(schema.length).toBeGreaterThan(0);
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  const { catalog, diagnostics } = catalogFromSchema(schema);
  test('the schema compiles', () => expect(diagnostics).toEqual([]));

  for (const example of examples) {
    test(`example: ${example.split('\n')[0]}`, () => {
      const { statements } = compileOrbitQL(example, catalog);
      expect(statements.flatMap((s) => s.diagnostics.map((d) => `${d.message} at ${example.slice(d.span.start, d.span.end)}`))).toEqual([]);
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.every((s) => s.bound !== undefined)).toBe(true);
    });
  }
});
