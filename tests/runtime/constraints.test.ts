// CHECK and FOREIGN KEY enforcement through the Engine/Session API over real LMDB: PostgreSQL's errors, statement atomicity, transactions.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, OrbitError, resultRows, type Session } from '../../runtime/index.ts';

let dir: string;
let engine: Engine;
let s: Session;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-constraints-'));
  engine = await Engine.open({ dataDir: dir });
  s = engine.session();
});
afterAll(async () => {
  s.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(sql: string, session: Session = s): Promise<unknown[][]> {
  return resultRows(await session.query(sql));
}

/** The error a statement fails with, as a client sees it. */
async function failure(sql: string, session: Session = s): Promise<{ sqlstate: string; message: string; detail?: string; hint?: string }> {
  try {
    await session.execute(sql);
  } catch (e) {
    expect(e).toBeInstanceOf(OrbitError);
    const x = e as OrbitError;
    return { sqlstate: x.sqlstate, message: x.message, ...(x.detail !== undefined ? { detail: x.detail } : {}), ...(x.hint !== undefined ? { hint: x.hint } : {}) };
  }
  throw new Error(`expected ${sql} to fail`);
}

const checkViolation = (table: string, name: string, row: string) => ({
  sqlstate: '23514',
  message: `new row for relation "${table}" violates check constraint "${name}"`,
  detail: `Failing row contains (${row}).`,
});
const missingParent = (child: string, name: string, cols: string, vals: string, parent: string) => ({
  sqlstate: '23503',
  message: `insert or update on table "${child}" violates foreign key constraint "${name}"`,
  detail: `Key (${cols})=(${vals}) is not present in table "${parent}".`,
});
const stillReferenced = (parent: string, name: string, child: string, cols: string, vals: string) => ({
  sqlstate: '23503',
  message: `update or delete on table "${parent}" violates foreign key constraint "${name}" on table "${child}"`,
  detail: `Key (${cols})=(${vals}) is still referenced from table "${child}".`,
});

/** The COPY … FROM STDIN data a client would send. */
function copyData(text: string): () => AsyncIterable<Uint8Array> {
  return async function* () {
    yield new TextEncoder().encode(text);
  };
}

describe('CHECK', () => {
  test('a row for which a check is false fails with 23514 and the failing row; NULL passes', async () => {
    await s.execute('CREATE TABLE p (id int PRIMARY KEY, v int CHECK (v > 0))');
    await s.execute('INSERT INTO p VALUES (1, 5)');
    expect(await failure('INSERT INTO p VALUES (2, -1)')).toEqual(checkViolation('p', 'p_v_check', '2, -1'));
    await s.execute('INSERT INTO p VALUES (3, NULL)');
    expect(await rows('SELECT id, v FROM p ORDER BY id')).toEqual([[1, 5], [3, null]]);
  });

  test('NOT NULL is reported before a failing check, as PostgreSQL tests it first', async () => {
    await s.execute('CREATE TABLE nn (id int PRIMARY KEY, a int NOT NULL, b int CHECK (b > 0))');
    expect(await failure('INSERT INTO nn VALUES (1, NULL, -1)')).toEqual({
      sqlstate: '23502',
      message: 'null value in column "a" of relation "nn" violates not-null constraint',
      detail: 'Failing row contains (1, null, -1).',
    });
  });

  test('one bad row fails the whole multi-row INSERT and nothing is written', async () => {
    expect(await failure('INSERT INTO p VALUES (10, 1), (11, 2), (12, 0), (13, 4)')).toEqual(checkViolation('p', 'p_v_check', '12, 0'));
    expect(await rows('SELECT count(*) FROM p WHERE id >= 10')).toEqual([[0n]]);
  });

  test('UPDATE checks the new row; a failing row leaves every row unchanged', async () => {
    await s.execute('INSERT INTO p VALUES (20, 1), (21, 2), (22, 3)');
    expect(await failure('UPDATE p SET v = v - 2 WHERE id >= 20')).toEqual(checkViolation('p', 'p_v_check', '20, -1'));
    expect(await rows('SELECT v FROM p WHERE id >= 20 ORDER BY id')).toEqual([[1], [2], [3]]);
    await s.execute('UPDATE p SET v = v + 10 WHERE id >= 20');
    expect(await rows('SELECT v FROM p WHERE id >= 20 ORDER BY id')).toEqual([[11], [12], [13]]);
  });

  test('INSERT … SELECT, defaults and DEFAULT VALUES are checked', async () => {
    expect(await failure('INSERT INTO p SELECT g, 5 - g FROM generate_series(30, 32) AS g')).toEqual(checkViolation('p', 'p_v_check', '30, -25'));
    await s.execute('CREATE TABLE d (id int DEFAULT 1, n int DEFAULT -1 CHECK (n <> -1))');
    expect(await failure('INSERT INTO d DEFAULT VALUES')).toEqual(checkViolation('d', 'd_n_check', '1, -1'));
    expect(await failure('INSERT INTO d (id) VALUES (5)')).toEqual(checkViolation('d', 'd_n_check', '5, -1'));
    expect(await failure('INSERT INTO d VALUES (6, DEFAULT)')).toEqual(checkViolation('d', 'd_n_check', '6, -1'));
    await s.execute('INSERT INTO d (n) VALUES (7)');
    expect(await rows('SELECT id, n FROM d')).toEqual([[1, 7]]);
  });

  test('ON CONFLICT: the proposed row and the DO UPDATE result are both checked', async () => {
    expect(await failure('INSERT INTO p VALUES (1, -5) ON CONFLICT (id) DO NOTHING')).toEqual(checkViolation('p', 'p_v_check', '1, -5'));
    expect(await failure('INSERT INTO p VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET v = -excluded.v')).toEqual(checkViolation('p', 'p_v_check', '1, -7'));
    await s.execute('INSERT INTO p VALUES (1, 7) ON CONFLICT (id) DO UPDATE SET v = excluded.v * 2');
    expect(await rows('SELECT v FROM p WHERE id = 1')).toEqual([[14]]);
  });

  test('COPY FROM STDIN checks every row and writes none when one fails', async () => {
    let caught: OrbitError | undefined;
    try {
      await s.execute('COPY p (id, v) FROM STDIN', [], { copyIn: copyData('40\t1\n41\t-4\n42\t2\n') });
    } catch (e) {
      caught = e as OrbitError;
    }
    expect(caught?.sqlstate).toBe('23514');
    expect(caught?.message).toBe('new row for relation "p" violates check constraint "p_v_check"');
    expect(caught?.detail).toBe('Failing row contains (41, -4).');
    expect(await rows('SELECT count(*) FROM p WHERE id >= 40')).toEqual([[0n]]);
    await s.execute('COPY p (id, v) FROM STDIN', [], { copyIn: copyData('40\t1\n41\t\\N\n') });
    expect(await rows('SELECT id, v FROM p WHERE id >= 40 ORDER BY id')).toEqual([[40, 1], [41, null]]);
  });

  test('generated names follow PostgreSQL: by the one column read, else <table>_check, numbered on clashes', async () => {
    await s.execute(
      'CREATE TABLE t (a int CHECK (a > 0), b int CHECK (b > a), c text, CHECK (c <> \'\'), CHECK (a < 1000), CHECK (a + b < 500), CONSTRAINT named CHECK (b <> 13))',
    );
    const t = engine.catalog.getRelation('public', 't');
    expect(t?.kind === 'table' ? t.checks.map((c) => c.name) : []).toEqual(['t_a_check', 't_check', 't_c_check', 't_a_check1', 't_check1', 'named']);
    // Each check reports under its own name; the first failing one in name order wins.
    expect(await failure('INSERT INTO t VALUES (0, 5, \'x\')')).toEqual(checkViolation('t', 't_a_check', '0, 5, x'));
    expect(await failure('INSERT INTO t VALUES (5, 1, \'x\')')).toEqual(checkViolation('t', 't_check', '5, 1, x'));
    expect(await failure('INSERT INTO t VALUES (5, 13, NULL)')).toEqual(checkViolation('t', 'named', '5, 13, null'));
    expect(await failure('INSERT INTO t VALUES (2000, 3000, \'\')')).toEqual(checkViolation('t', 't_a_check1', '2000, 3000, '));
    expect(await failure('INSERT INTO t VALUES (300, 400, \'y\')')).toEqual(checkViolation('t', 't_check1', '300, 400, y'));
    await s.execute('INSERT INTO t VALUES (1, 2, \'ok\')');
  });

  test('check expressions of every common form are evaluated as written', async () => {
    await s.execute(`CREATE TABLE forms (
      id int PRIMARY KEY,
      status text CHECK (status IN ('new', 'done')),
      email text CHECK (email LIKE '%@%' AND length(email) < 20),
      pct numeric(5,2) CHECK (pct BETWEEN 0 AND 100),
      code text CHECK (code ~ '^[A-Z]{2}[0-9]+$'),
      starts date, ends date, CHECK (coalesce(ends, starts) >= starts),
      kind int CHECK (CASE WHEN kind > 10 THEN kind % 2 = 0 ELSE true END)
    )`);
    await s.execute("INSERT INTO forms VALUES (1, 'new', 'a@b.c', 12.5, 'AB12', '2024-01-01', NULL, 12)");
    const bad: [string, string, string][] = [
      ["(2, 'old', NULL, NULL, NULL, NULL, NULL, NULL)", 'forms_status_check', '2, old, null, null, null, null, null, null'],
      ["(2, NULL, 'nobody', NULL, NULL, NULL, NULL, NULL)", 'forms_email_check', '2, null, nobody, null, null, null, null, null'],
      ["(2, NULL, 'someone@a.very.long.host', NULL, NULL, NULL, NULL, NULL)", 'forms_email_check', '2, null, someone@a.very.long.host, null, null, null, null, null'],
      ['(2, NULL, NULL, 100.01, NULL, NULL, NULL, NULL)', 'forms_pct_check', '2, null, null, 100.01, null, null, null, null'],
      ["(2, NULL, NULL, NULL, 'ab12', NULL, NULL, NULL)", 'forms_code_check', '2, null, null, null, ab12, null, null, null'],
      ["(2, NULL, NULL, NULL, NULL, '2024-02-01', '2024-01-31', NULL)", 'forms_check', '2, null, null, null, null, 2024-02-01, 2024-01-31, null'],
      ['(2, NULL, NULL, NULL, NULL, NULL, NULL, 13)', 'forms_kind_check', '2, null, null, null, null, null, null, 13'],
    ];
    for (const [row, name, shown] of bad) expect(await failure(`INSERT INTO forms VALUES ${row}`)).toEqual(checkViolation('forms', name, shown));
    expect(await rows('SELECT count(*) FROM forms')).toEqual([[1n]]);
  });

  test('values in the failing row print in PostgreSQL text form', async () => {
    await s.execute('CREATE TABLE vt (id bigint PRIMARY KEY, ok boolean, amount numeric(6,2), day date, note text, CHECK (ok OR amount < 0))');
    expect(await failure("INSERT INTO vt VALUES (9000000000, false, 0.5, '2024-03-01', 'hi there') RETURNING id")).toEqual(
      checkViolation('vt', 'vt_check', '9000000000, f, 0.50, 2024-03-01, hi there'),
    );
  });

  test('renaming a column keeps its checks; dropping a column drops the checks that read it', async () => {
    await s.execute('CREATE TABLE rc (id int PRIMARY KEY, qty int CHECK (qty >= 0), price int, CHECK (price > qty))');
    await s.execute('ALTER TABLE rc RENAME COLUMN qty TO "Quantity"');
    expect(await failure('INSERT INTO rc VALUES (1, -1, 5)')).toEqual(checkViolation('rc', 'rc_qty_check', '1, -1, 5'));
    expect(await failure('INSERT INTO rc VALUES (1, 6, 5)')).toEqual(checkViolation('rc', 'rc_check', '1, 6, 5'));
    await s.execute('ALTER TABLE rc DROP COLUMN price');
    await s.execute('INSERT INTO rc VALUES (1, 6)');
    expect(await failure('INSERT INTO rc VALUES (2, -6)')).toEqual(checkViolation('rc', 'rc_qty_check', '2, -6'));
  });
});

describe('FOREIGN KEY', () => {
  beforeAll(async () => {
    await s.execute('CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, label text)');
    await s.execute("INSERT INTO parent VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three')");
    await s.execute('CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent(id))');
  });

  test('a child row whose key has no parent fails with 23503; NULL keys pass', async () => {
    expect(await failure('INSERT INTO child VALUES (2, 99)')).toEqual(missingParent('child', 'child_pid_fkey', 'pid', '99', 'parent'));
    await s.execute('INSERT INTO child VALUES (1, 1), (3, NULL)');
    expect(await rows('SELECT id, pid FROM child ORDER BY id')).toEqual([[1, 1], [3, null]]);
  });

  test('one missing parent fails the whole statement and nothing is written', async () => {
    expect(await failure('INSERT INTO child VALUES (10, 1), (11, 2), (12, 98), (13, 3)')).toEqual(missingParent('child', 'child_pid_fkey', 'pid', '98', 'parent'));
    expect(await rows('SELECT count(*) FROM child WHERE id >= 10')).toEqual([[0n]]);
    expect(await failure('INSERT INTO child SELECT g, g FROM generate_series(20, 22) AS g')).toEqual(missingParent('child', 'child_pid_fkey', 'pid', '20', 'parent'));
  });

  test('UPDATE of the child key is checked; other columns are not', async () => {
    expect(await failure('UPDATE child SET pid = 7 WHERE id = 1')).toEqual(missingParent('child', 'child_pid_fkey', 'pid', '7', 'parent'));
    await s.execute('UPDATE child SET pid = 2 WHERE id = 1');
    await s.execute('UPDATE child SET pid = 1 WHERE id = 1');
    expect(await rows('SELECT pid FROM child WHERE id = 1')).toEqual([[1]]);
  });

  test('a referenced parent cannot be deleted or have its key changed (NO ACTION)', async () => {
    expect(await failure('DELETE FROM parent WHERE id = 1')).toEqual(stillReferenced('parent', 'child_pid_fkey', 'child', 'id', '1'));
    expect(await failure('DELETE FROM parent')).toEqual(stillReferenced('parent', 'child_pid_fkey', 'child', 'id', '1'));
    expect(await failure('UPDATE parent SET id = 10 WHERE id = 1')).toEqual(stillReferenced('parent', 'child_pid_fkey', 'child', 'id', '1'));
    expect(await rows('SELECT id FROM parent ORDER BY id')).toEqual([[1], [2], [3]]);
    await s.execute("UPDATE parent SET label = 'uno' WHERE id = 1");
    await s.execute('DELETE FROM parent WHERE id = 3');
    await s.execute("INSERT INTO parent VALUES (3, 'c', 'three')");
  });

  test('NO ACTION looks at the end of the statement; RESTRICT does not', async () => {
    await s.execute('CREATE TABLE sw (id int PRIMARY KEY)');
    await s.execute('INSERT INTO sw VALUES (1), (2)');
    await s.execute('CREATE TABLE sw_na (id int PRIMARY KEY, ref int REFERENCES sw)');
    await s.execute('INSERT INTO sw_na VALUES (1, 1)');
    // Row 1 moves to 5 and row 2 takes key 1: the referenced key is present again at the end.
    const shuffle = 'UPDATE sw SET id = CASE id WHEN 1 THEN 5 WHEN 2 THEN 1 ELSE id END';
    await s.execute(shuffle);
    expect(await rows('SELECT id FROM sw ORDER BY id')).toEqual([[1], [5]]);
    await s.execute('UPDATE sw SET id = 2 WHERE id = 5');
    await s.execute('CREATE TABLE sw_r (id int PRIMARY KEY, ref int REFERENCES sw ON UPDATE RESTRICT ON DELETE RESTRICT)');
    await s.execute('INSERT INTO sw_r VALUES (1, 1)');
    expect(await failure(shuffle)).toEqual(stillReferenced('sw', 'sw_r_ref_fkey', 'sw_r', 'id', '1'));
  });

  test('a key may reference a unique column; int keys may reference bigint columns', async () => {
    await s.execute('CREATE TABLE by_code (id int PRIMARY KEY, code text REFERENCES parent (code))');
    await s.execute("INSERT INTO by_code VALUES (1, 'a')");
    expect(await failure("INSERT INTO by_code VALUES (2, 'zz')")).toEqual(missingParent('by_code', 'by_code_code_fkey', 'code', 'zz', 'parent'));
    expect(await failure("UPDATE parent SET code = 'q' WHERE id = 1")).toEqual(stillReferenced('parent', 'by_code_code_fkey', 'by_code', 'code', 'a'));
    await s.execute('CREATE TABLE big (id bigint PRIMARY KEY)');
    await s.execute('INSERT INTO big VALUES (5000000000), (7)');
    await s.execute('CREATE TABLE small_ref (id int PRIMARY KEY, big_id int REFERENCES big)');
    await s.execute('INSERT INTO small_ref VALUES (1, 7)');
    expect(await failure('INSERT INTO small_ref VALUES (2, 8)')).toEqual(missingParent('small_ref', 'small_ref_big_id_fkey', 'big_id', '8', 'big'));
    expect(await failure('DELETE FROM big WHERE id = 7')).toEqual(stillReferenced('big', 'small_ref_big_id_fkey', 'small_ref', 'id', '7'));
  });

  test('composite keys: MATCH SIMPLE skips keys with a NULL; the detail lists every column', async () => {
    await s.execute('CREATE TABLE pair (a int, b text, PRIMARY KEY (a, b))');
    await s.execute("INSERT INTO pair VALUES (1, 'x'), (2, 'y')");
    await s.execute('CREATE TABLE pair_ref (id int PRIMARY KEY, pa int, pb text, FOREIGN KEY (pa, pb) REFERENCES pair (a, b))');
    await s.execute("INSERT INTO pair_ref VALUES (1, 1, 'x'), (2, 2, NULL), (3, NULL, 'nope')");
    expect(await failure("INSERT INTO pair_ref VALUES (4, 1, 'y')")).toEqual(missingParent('pair_ref', 'pair_ref_pa_pb_fkey', 'pa, pb', "1, y", 'pair'));
    expect(await failure("DELETE FROM pair WHERE a = 1")).toEqual(stillReferenced('pair', 'pair_ref_pa_pb_fkey', 'pair_ref', 'a, b', '1, x'));
    await s.execute('DELETE FROM pair WHERE a = 2');
  });

  test('referencing rows are found through an index on the key when there is one', async () => {
    await s.execute('CREATE TABLE ix_p (id int PRIMARY KEY)');
    await s.execute('INSERT INTO ix_p SELECT g FROM generate_series(1, 200) AS g');
    await s.execute('CREATE TABLE ix_c (id int PRIMARY KEY, pid int REFERENCES ix_p)');
    await s.execute('CREATE INDEX ix_c_pid ON ix_c (pid)');
    await s.execute('INSERT INTO ix_c SELECT g, g % 100 + 1 FROM generate_series(1, 500) AS g');
    expect(await failure('DELETE FROM ix_p WHERE id BETWEEN 95 AND 105')).toEqual(stillReferenced('ix_p', 'ix_c_pid_fkey', 'ix_c', 'id', '95'));
    await s.execute('DELETE FROM ix_p WHERE id > 100');
    expect(await rows('SELECT count(*) FROM ix_p')).toEqual([[100n]]);
  });

  test('self-referencing keys: rows of the same statement count, checked at its end', async () => {
    await s.execute('CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree)');
    await s.execute('INSERT INTO tree VALUES (2, 1), (1, NULL), (3, 2), (4, 4)');
    expect(await failure('INSERT INTO tree VALUES (5, 6)')).toEqual(missingParent('tree', 'tree_parent_fkey', 'parent', '6', 'tree'));
    expect(await failure('DELETE FROM tree WHERE id = 1')).toEqual(stillReferenced('tree', 'tree_parent_fkey', 'tree', 'id', '1'));
    // The row referencing itself, and a whole subtree at once, can go.
    await s.execute('DELETE FROM tree WHERE id = 4');
    await s.execute('DELETE FROM tree WHERE id IN (1, 2, 3)');
    expect(await rows('SELECT count(*) FROM tree')).toEqual([[0n]]);
  });

  test('inside a transaction: uncommitted parents count; ROLLBACK leaves nothing; a violation fails the transaction', async () => {
    const t = engine.session();
    await t.execute('BEGIN');
    await t.execute("INSERT INTO parent VALUES (50, 'p50', 'fifty')");
    await t.execute('INSERT INTO child VALUES (50, 50)');
    await t.execute('COMMIT');
    expect(await rows('SELECT pid FROM child WHERE id = 50')).toEqual([[50]]);

    await t.execute('BEGIN');
    await t.execute("INSERT INTO parent VALUES (51, 'p51', 'x')");
    await t.execute('INSERT INTO child VALUES (51, 51)');
    await t.execute('ROLLBACK');
    expect(await rows('SELECT count(*) FROM parent WHERE id = 51')).toEqual([[0n]]);
    expect(await rows('SELECT count(*) FROM child WHERE id = 51')).toEqual([[0n]]);

    await t.execute('BEGIN');
    await t.execute('DELETE FROM child WHERE id = 50');
    await t.execute('DELETE FROM parent WHERE id = 50');
    expect(await failure('INSERT INTO child VALUES (52, 50)', t)).toEqual(missingParent('child', 'child_pid_fkey', 'pid', '50', 'parent'));
    expect((await failure('SELECT 1', t)).sqlstate).toBe('25P02');
    await t.execute('ROLLBACK');
    expect(await rows('SELECT count(*) FROM child WHERE id = 50')).toEqual([[1n]]);
    t.close();
  });

  test('concurrent transactions cannot orphan a row: whichever commits second fails with 40001', async () => {
    await s.execute('CREATE TABLE cc_p (id int PRIMARY KEY, n int)');
    await s.execute('CREATE TABLE cc_c (id int PRIMARY KEY, pid int REFERENCES cc_p)');
    await s.execute('INSERT INTO cc_p VALUES (1, 0), (2, 0), (3, 0)');
    const a = engine.session();
    const b = engine.session();
    // The child's transaction commits second.
    await a.execute('BEGIN');
    await a.execute('INSERT INTO cc_c VALUES (1, 1)');
    await b.execute('DELETE FROM cc_p WHERE id = 1');
    expect((await failure('COMMIT', a)).sqlstate).toBe('40001');
    // The parent's deletion commits second.
    await a.execute('BEGIN');
    await a.execute('DELETE FROM cc_p WHERE id = 2');
    await b.execute('INSERT INTO cc_c VALUES (2, 2)');
    expect((await failure('COMMIT', a)).sqlstate).toBe('40001');
    expect(await rows('SELECT (SELECT count(*) FROM cc_p), (SELECT count(*) FROM cc_c)')).toEqual([[2n, 1n]]);
    // Children of the same parent do not conflict with each other.
    await a.execute('BEGIN');
    await b.execute('BEGIN');
    await a.execute('INSERT INTO cc_c VALUES (3, 3)');
    await b.execute('INSERT INTO cc_c VALUES (4, 3)');
    await a.execute('COMMIT');
    await b.execute('COMMIT');
    expect(await rows('SELECT id FROM cc_c ORDER BY id')).toEqual([[2], [3], [4]]);
    a.close();
    b.close();
  });

  test('ON DELETE CASCADE and SET NULL, ON UPDATE CASCADE, through several levels', async () => {
    await s.execute('CREATE TABLE org (id int PRIMARY KEY)');
    await s.execute('CREATE TABLE team (id int PRIMARY KEY, org int REFERENCES org ON DELETE CASCADE ON UPDATE CASCADE)');
    await s.execute('CREATE TABLE member (id int PRIMARY KEY, team int REFERENCES team ON DELETE CASCADE, mentor int REFERENCES member ON DELETE SET NULL)');
    await s.execute('CREATE TABLE badge (id int PRIMARY KEY, member int REFERENCES member)');
    await s.execute('INSERT INTO org VALUES (1), (2)');
    await s.execute('INSERT INTO team VALUES (10, 1), (20, 2)');
    await s.execute('INSERT INTO member VALUES (100, 10, NULL), (101, 10, 100), (200, 20, 100), (201, 20, 200)');
    await s.execute('UPDATE org SET id = 3 WHERE id = 2');
    expect(await rows('SELECT id, org FROM team ORDER BY id')).toEqual([[10, 1], [20, 3]]);
    // Deleting org 1 removes team 10 and members 100 and 101; member 200's mentor becomes NULL.
    await s.execute('DELETE FROM org WHERE id = 1');
    expect(await rows('SELECT id FROM team')).toEqual([[20]]);
    expect(await rows('SELECT id, team, mentor FROM member ORDER BY id')).toEqual([[200, 20, null], [201, 20, 200]]);
    // A cascade that reaches a NO ACTION key still referenced fails the whole statement.
    await s.execute('INSERT INTO badge VALUES (1, 201)');
    expect(await failure('DELETE FROM org WHERE id = 3')).toEqual(stillReferenced('member', 'badge_member_fkey', 'badge', 'id', '201'));
    expect(await rows('SELECT count(*) FROM member')).toEqual([[2n]]);
    await s.execute('DELETE FROM badge');
    await s.execute('DELETE FROM org WHERE id = 3');
    expect(await rows('SELECT (SELECT count(*) FROM team), (SELECT count(*) FROM member)')).toEqual([[0n, 0n]]);
  });

  test('DROP TABLE of a referenced table fails with 2BP01 unless CASCADE, which drops the foreign keys', async () => {
    await s.execute('CREATE TABLE dp (id int PRIMARY KEY)');
    await s.execute('CREATE TABLE dc (id int PRIMARY KEY, pid int REFERENCES dp)');
    expect(await failure('DROP TABLE dp')).toEqual({
      sqlstate: '2BP01',
      message: 'cannot drop table dp because other objects depend on it',
      detail: 'constraint dc_pid_fkey on table dc depends on table dp',
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
    await s.execute('DROP TABLE dp CASCADE');
    await s.execute('INSERT INTO dc VALUES (1, 42)');
    await s.execute('CREATE TABLE ui_p (id int PRIMARY KEY, code int)');
    await s.execute('CREATE UNIQUE INDEX ui_p_code ON ui_p (code)');
    await s.execute('CREATE TABLE ui_c (id int PRIMARY KEY, code int REFERENCES ui_p (code))');
    expect(await failure('INSERT INTO ui_c VALUES (1, 3)')).toEqual(missingParent('ui_c', 'ui_c_code_fkey', 'code', '3', 'ui_p'));
    expect(await failure('DROP INDEX ui_p_code')).toEqual({
      sqlstate: '2BP01',
      message: 'cannot drop index ui_p_code because other objects depend on it',
      detail: 'constraint ui_c_code_fkey on table ui_c depends on index ui_p_code',
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
    await s.execute('DROP INDEX ui_p_code CASCADE');
    await s.execute('INSERT INTO ui_c VALUES (1, 3)');
    await s.execute('CREATE TABLE dp2 (id int PRIMARY KEY)');
    await s.execute('CREATE TABLE dc2 (id int PRIMARY KEY, pid int REFERENCES dp2)');
    await s.execute('DROP TABLE dp2, dc2');
    expect(engine.catalog.getRelation('public', 'dc2')).toBeUndefined();
  });

  test('a foreign key must reference a unique key of matching width', async () => {
    expect(await failure('CREATE TABLE bad1 (id int PRIMARY KEY, l text REFERENCES parent (label))')).toMatchObject({
      sqlstate: '42830',
      message: 'there is no unique constraint matching given keys for referenced table "parent"',
    });
    expect(await failure('CREATE TABLE bad2 (a int, b int, FOREIGN KEY (a, b) REFERENCES parent (id))')).toMatchObject({
      sqlstate: '42830',
      message: 'number of referencing and referenced columns for foreign key disagree',
    });
    expect(engine.catalog.getRelation('public', 'bad1')).toBeUndefined();
  });

  test('ALTER TABLE: an added REFERENCES column is enforced; renames keep keys; a referenced column needs CASCADE to drop', async () => {
    await s.execute('CREATE TABLE al_p (id int PRIMARY KEY, code int UNIQUE)');
    await s.execute('INSERT INTO al_p VALUES (1, 10)');
    await s.execute('CREATE TABLE al_c (id int PRIMARY KEY)');
    await s.execute('INSERT INTO al_c VALUES (1)');
    await s.execute('ALTER TABLE al_c ADD COLUMN pid int REFERENCES al_p');
    expect(await failure('UPDATE al_c SET pid = 2')).toEqual(missingParent('al_c', 'al_c_pid_fkey', 'pid', '2', 'al_p'));
    await s.execute('UPDATE al_c SET pid = 1');
    expect((await failure('ALTER TABLE al_c ADD COLUMN n int CHECK (n > 0)')).sqlstate).toBe('0A000');
    // Renaming either table or the key column keeps the key in force.
    await s.execute('ALTER TABLE al_p RENAME TO al_parent');
    await s.execute('ALTER TABLE al_c RENAME COLUMN pid TO parent_id');
    expect(await failure('INSERT INTO al_c VALUES (2, 5)')).toEqual(missingParent('al_c', 'al_c_pid_fkey', 'parent_id', '5', 'al_parent'));
    expect(await failure('DELETE FROM al_parent')).toEqual(stillReferenced('al_parent', 'al_c_pid_fkey', 'al_c', 'id', '1'));
    await s.execute('CREATE TABLE al_self (id int PRIMARY KEY, up int REFERENCES al_self)');
    await s.execute('ALTER TABLE al_self RENAME TO al_self2');
    expect(await failure('INSERT INTO al_self2 VALUES (1, 2)')).toEqual(missingParent('al_self2', 'al_self_up_fkey', 'up', '2', 'al_self2'));
    await s.execute('CREATE TABLE al_code (id int PRIMARY KEY, code int REFERENCES al_parent (code))');
    expect(await failure('ALTER TABLE al_parent DROP COLUMN code')).toEqual({
      sqlstate: '2BP01',
      message: 'cannot drop column code of table al_parent because other objects depend on it',
      detail: 'constraint al_code_code_fkey on table al_code depends on index al_p_code_key',
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
    await s.execute('ALTER TABLE al_parent DROP COLUMN code CASCADE');
    await s.execute('INSERT INTO al_code VALUES (1, 77)');
  });

  test('foreign keys and their actions survive a restart', async () => {
    await s.execute('CREATE TABLE keep_p (id int PRIMARY KEY)');
    await s.execute('CREATE TABLE keep_c (id int PRIMARY KEY, pid int REFERENCES keep_p ON DELETE CASCADE, n int CHECK (n < 10))');
    await s.execute('INSERT INTO keep_p VALUES (1)');
    await s.execute('INSERT INTO keep_c VALUES (1, 1, 1)');
    s.close();
    await engine.close();
    engine = await Engine.open({ dataDir: dir });
    s = engine.session();
    expect(await failure('INSERT INTO keep_c VALUES (2, 2, 1)')).toEqual(missingParent('keep_c', 'keep_c_pid_fkey', 'pid', '2', 'keep_p'));
    expect(await failure('INSERT INTO keep_c VALUES (2, 1, 10)')).toEqual(checkViolation('keep_c', 'keep_c_n_check', '2, 1, 10'));
    await s.execute('DELETE FROM keep_p');
    expect(await rows('SELECT count(*) FROM keep_c')).toEqual([[0n]]);
  });

  test('EXPLAIN of a write is the same with and without constraints', async () => {
    await s.execute('CREATE TABLE plain_t (id int PRIMARY KEY, pid int, v int)');
    await s.execute('CREATE TABLE cons_t (id int PRIMARY KEY, pid int REFERENCES parent, v int CHECK (v > 0))');
    for (const sql of ['INSERT INTO % VALUES (1, 1, 1)', 'UPDATE % SET v = 2 WHERE id = 1', 'DELETE FROM % WHERE id = 1']) {
      const plain = await rows(`EXPLAIN ${sql.replace('%', 'plain_t')}`);
      const cons = await rows(`EXPLAIN ${sql.replace('%', 'cons_t')}`);
      expect(JSON.stringify(cons).replaceAll('cons_t', 'plain_t')).toBe(JSON.stringify(plain));
    }
  });
});
