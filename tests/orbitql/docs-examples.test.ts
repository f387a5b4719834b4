// Every OrbitQL example in docs/orbitql.md parses and binds against the schema the document defines, and
// runs, in the document's order, on a real engine over LMDB in a temp dir.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogFromSchema, compileOrbitQL } from '../../compiler/index.ts';
import { OrbitError } from '../../runtime/index.ts';
import { openOrbitQlDb, type OrbitQlDb } from '../support/orbitql.ts';

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

describe('docs/orbitql.md examples run', () => {
  let db: OrbitQlDb;
  beforeAll(async () => {
    db = await openOrbitQlDb('orbit-oql-docs-');
  });
  afterAll(() => db.close());

  test('each schema block and example, in order; only LIVE is refused (delivered over WebSocket)', async () => {
    const outcomes: string[] = [];
    for (const b of blocks) {
      if (b[1] !== 'oql' && !b[2]) continue;
      const text = b[3]!;
      const failure = await db.oql(text, { min_age: 18 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (failure !== undefined) expect(failure).toBeInstanceOf(OrbitError);
      outcomes.push(`${(failure as OrbitError | undefined)?.sqlstate ?? 'ok'} ${text.split('\n')[0]}`);
    }
    expect(outcomes.filter((o) => !o.startsWith('ok '))).toEqual(outcomes.filter((o) => o.includes('LIVE')).map((o) => o.replace(/^\S+/, '0A000')));
    expect(outcomes.length).toBe(blocks.filter((b) => b[1] === 'oql' || b[2]).length);
  });
});
