// Binding of CHECK and FOREIGN KEY constraints: names chosen by DDL, and what each write node carries to enforce.
import { describe, expect, test } from 'bun:test';
import { catalogFromSchema, type MemoryCatalog } from '../../compiler/catalog/index.ts';
import { printExpr } from '../../compiler/ir/print.ts';
import type { LogicalPlan, WriteConstraints } from '../../compiler/ir/plan.ts';
import { bindOk, bindSql, marked } from './bind-support.ts';

const SCHEMA = `
CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE, v int CHECK (v > 0), w int, CHECK (w > v));
CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p, note text, n int CHECK (n <> 0));
CREATE TABLE g (id int PRIMARY KEY, cid int REFERENCES c ON DELETE CASCADE, pcode text REFERENCES p (code) ON UPDATE SET NULL);
CREATE INDEX g_cid_idx ON g (cid);
CREATE TABLE free (id int PRIMARY KEY, x int);
`;

function catalog(): MemoryCatalog {
  const { catalog, diagnostics } = catalogFromSchema(SCHEMA);
  if (diagnostics.length) throw new Error(JSON.stringify(diagnostics));
  return catalog;
}

/** The constraints on the write node at the root of a statement's plan, summarized for comparison. */
function carried(sql: string): unknown {
  const b = bindOk(sql, catalog());
  if (b.kind !== 'query') throw new Error('not a query');
  const plan = b.plan as Extract<LogicalPlan, { kind: 'insert' | 'update' | 'delete' }>;
  const c: WriteConstraints | undefined = plan.constraints;
  if (!c) return undefined;
  const fk = (f: WriteConstraints['references'][number]) => `${f.name} ${f.child.name}(${f.childOrdinals}) -> ${f.parent.name}(${f.parentOrdinals}) via ${f.parentIndex.name}${f.childIndex ? ` child index ${f.childIndex}` : ''} on delete ${f.onDelete} on update ${f.onUpdate}`;
  const byId = new Map(catalog().listRelations().map((r) => [r.id, r.name]));
  return {
    checks: c.checks.map((k) => `${k.name}: ${printExpr(k.expr)}`),
    references: c.references.map(fk),
    referencedBy: Object.fromEntries(Object.entries(c.referencedBy).map(([id, fks]) => [byId.get(Number(id)), fks.map(fk)])),
  };
}

describe('write nodes carry only the constraints they can break', () => {
  test('INSERT: checks in name order over the row columns, and every foreign key of the table', () => {
    const c = carried('INSERT INTO p VALUES (1, 1, 2, 3)') as { checks: string[] };
    expect(c.checks.map((k) => k.split(':')[0])).toEqual(['p_check', 'p_v_check']);
    expect(carried("INSERT INTO c VALUES (1, 1, 'x', 1)")).toMatchObject({
      references: ['c_pid_fkey c(1) -> p(0) via p_pkey on delete no action on update no action'],
      referencedBy: {},
    });
  });

  test('a table without constraints, and writes that cannot break any, carry nothing', () => {
    expect(carried('INSERT INTO free VALUES (1, 2)')).toBeUndefined();
    expect(carried('UPDATE free SET x = 3')).toBeUndefined();
    expect(carried("UPDATE c SET note = 'y'")).toMatchObject({ references: [], referencedBy: {} });
    expect(carried('DELETE FROM g')).toBeUndefined();
    expect(carried('UPDATE p SET v = 5, w = 6')).toMatchObject({ references: [], referencedBy: {} });
  });

  test('UPDATE of a foreign key column checks that key; UPDATE of a referenced key checks its referencing rows', () => {
    expect(carried('UPDATE c SET pid = 2')).toMatchObject({ references: ['c_pid_fkey c(1) -> p(0) via p_pkey on delete no action on update no action'] });
    expect(carried("UPDATE p SET code = 'z'")).toMatchObject({
      referencedBy: { p: ['g_pcode_fkey g(2) -> p(1) via p_code_key on delete no action on update set null'] },
    });
  });

  test('DELETE follows cascading actions to the tables they write, using an index on the key when there is one', () => {
    expect(carried('DELETE FROM c')).toEqual({
      checks: [],
      references: [],
      referencedBy: { c: ['g_cid_fkey g(1) -> c(0) via c_pkey child index g_cid_idx on delete cascade on update no action'], g: [] },
    });
    expect(carried('DELETE FROM p')).toMatchObject({
      referencedBy: {
        p: ['c_pid_fkey c(1) -> p(0) via p_pkey on delete no action on update no action', 'g_pcode_fkey g(2) -> p(1) via p_code_key on delete no action on update set null'],
        g: [],
      },
    });
  });

  test('ON CONFLICT DO UPDATE of a referenced key also checks referencing rows', () => {
    expect(carried('INSERT INTO p VALUES (1, null, 1, 2) ON CONFLICT (id) DO UPDATE SET id = 9')).toMatchObject({
      referencedBy: { p: ['c_pid_fkey c(1) -> p(0) via p_pkey on delete no action on update no action'] },
    });
  });
});

describe('DDL', () => {
  test('check names follow the columns the expression reads; foreign key names are numbered on clashes', () => {
    const b = bindOk('CREATE TABLE z (a int CHECK (a > 0) CHECK (a < 9), b int CHECK (b > a), CHECK (b > 0), CHECK (true), x int REFERENCES p, FOREIGN KEY (x) REFERENCES p ON DELETE CASCADE)', catalog());
    if (b.kind !== 'create-table') throw new Error('not create-table');
    expect(b.checks.map((c) => c.name)).toEqual(['z_a_check', 'z_a_check1', 'z_check', 'z_b_check', 'z_check1']);
    expect(b.foreignKeys).toEqual([
      { name: 'z_x_fkey', columns: ['x'], refTable: 'p', refColumns: ['id'] },
      { name: 'z_x_fkey1', columns: ['x'], refTable: 'p', refColumns: ['id'], onDelete: 'cascade' },
    ]);
  });

  test('check constraints may not hold subqueries or parameters', () => {
    const cases: [string, string, string][] = [
      ['CREATE TABLE z (a int CHECK (⟦a IN (SELECT 1)⟧))', '0A000', 'cannot use subquery in check constraint'],
      ['CREATE TABLE z (a int, CHECK (⟦EXISTS (SELECT 1) OR a > 0⟧))', '0A000', 'cannot use subquery in check constraint'],
      ['CREATE TABLE z (a int CHECK (⟦a > $1⟧))', '42P02', 'there is no parameter $1'],
    ];
    for (const [template, sqlstate, message] of cases) {
      const { sql, span } = marked(template);
      expect(bindSql(sql, catalog()).diagnostics.map((d) => ({ sqlstate: d.sqlstate, message: d.message, span: d.span }))).toEqual([{ sqlstate, message, span }]);
    }
  });

  test('a self-reference without columns takes the new primary key', () => {
    const b = bindOk('CREATE TABLE tree (id int, up int REFERENCES tree, PRIMARY KEY (id))', catalog());
    expect(b.kind === 'create-table' && b.foreignKeys).toEqual([{ name: 'tree_up_fkey', columns: ['up'], refTable: 'tree', refColumns: ['id'] }]);
  });

  test('foreign keys must reference a unique key of the same width', () => {
    const cases: [string, string, string][] = [
      ['CREATE TABLE z (a int REFERENCES ⟦p⟧ (w))', '42830', 'there is no unique constraint matching given keys for referenced table "p"'],
      ['CREATE TABLE z (a int, b int, ⟦FOREIGN KEY (a, b) REFERENCES p (id)⟧)', '42830', 'number of referencing and referenced columns for foreign key disagree'],
      ['CREATE TABLE z (a int REFERENCES ⟦free2⟧)', '42P01', 'relation "free2" does not exist'],
      ['CREATE TABLE z (a int REFERENCES p (⟦nope⟧))', '42703', 'column "nope" referenced in foreign key constraint does not exist'],
      ['CREATE TABLE z (a int REFERENCES ⟦z⟧)', '42704', 'there is no primary key for referenced table "z"'],
    ];
    for (const [template, sqlstate, message] of cases) {
      const { sql, span } = marked(template);
      const r = bindSql(sql, catalog());
      expect(r.diagnostics.map((d) => ({ sqlstate: d.sqlstate, message: d.message, span: d.span }))).toEqual([{ sqlstate, message, span }]);
    }
  });

  test('DROP TABLE of a referenced table needs CASCADE unless the referencing tables go too', () => {
    const { sql, span } = marked('DROP TABLE ⟦p⟧');
    const r = bindSql(sql, catalog());
    expect(r.diagnostics).toEqual([
      {
        code: 'dependent_objects_still_exist',
        sqlstate: '2BP01',
        message: 'cannot drop table p because other objects depend on it',
        span,
        severity: 'error',
        detail: 'constraint c_pid_fkey on table c depends on table p\nconstraint g_pcode_fkey on table g depends on table p',
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      },
    ]);
    expect(bindSql('DROP TABLE p CASCADE', catalog()).diagnostics).toEqual([]);
    expect(bindSql('DROP TABLE g, c, p', catalog()).diagnostics).toEqual([]);
  });

  test('renaming a column rewrites the checks that read it; dropping one drops them', () => {
    const ren = bindOk('ALTER TABLE p RENAME COLUMN v TO "Value"', catalog());
    expect(ren.kind === 'alter-table' && ren.action).toEqual({
      kind: 'rename-column',
      from: 'v',
      to: 'Value',
      checks: [
        { name: 'p_v_check', sql: '"Value" > 0' },
        { name: 'p_check', sql: 'w > "Value"' },
      ],
    });
    const drop = bindOk('ALTER TABLE p DROP COLUMN w', catalog());
    expect(drop.kind === 'alter-table' && drop.action).toEqual({ kind: 'drop-column', column: 'w', ifExists: false, checks: [{ name: 'p_v_check', sql: 'v > 0' }] });
  });
});
