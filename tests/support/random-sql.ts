// fast-check arbitraries for differential testing: random schemas, data and queries valid in PostgreSQL and DuckDB.

import fc from 'fast-check';

/*
 * Every query is written to mean the same thing in PostgreSQL, DuckDB and Orbit. The rules that
 * make that so are listed with their reasons in tests/fixtures/known-differences.md; in short:
 * no `/` or `%`, integer arithmetic only in bigint on values far from overflow, text made of
 * lowercase ASCII letters (so every collation orders it alike), doubles that are small dyadic
 * fractions (so sums are exact in any order), NULLS FIRST/LAST always spelled out, windows
 * ordered by keys that are total or whose ties cannot change the answer, and LIMIT only after an
 * ORDER BY over every output column.
 *
 * Queries are built by plain code drawing its choices from `fc.gen()`, so a failing query shrinks
 * toward earlier list items and fewer optional clauses.
 */

/** Column types of random schemas. */
export type ColType = 'int' | 'bigint' | 'double' | 'text' | 'bool' | 'date';
export const COL_TYPES: readonly ColType[] = ['int', 'bigint', 'double', 'text', 'bool', 'date'];

/** PostgreSQL (and DuckDB) spelling of each column type. */
export const SQL_TYPE: Readonly<Record<ColType, string>> = {
  int: 'integer',
  bigint: 'bigint',
  double: 'double precision',
  text: 'text',
  bool: 'boolean',
  date: 'date',
};

export interface RColumn {
  readonly name: string;
  readonly type: ColType;
  readonly nullable: boolean;
}

/** A random table; its first column is always `id integer NOT NULL`, unique (1..n). */
export interface RTable {
  readonly name: string;
  readonly columns: readonly RColumn[];
}

export interface RSchema {
  readonly tables: readonly RTable[];
}

/** A cell in the IR conventions: int → number, bigint → bigint, double → number, date → days since 1970-01-01. */
export type RValue = null | boolean | number | bigint | string;
export type RRow = readonly RValue[];

export interface RDataset {
  readonly schema: RSchema;
  /** Rows per table name, columns in schema order. */
  readonly rows: Readonly<Record<string, readonly RRow[]>>;
}

export interface GeneratedQuery {
  readonly sql: string;
  /** True when ORDER BY fixes the row order completely: compare in order. Otherwise compare as multisets. */
  readonly ordered: boolean;
  readonly shape: 'select' | 'aggregate' | 'window' | 'setop';
}

// ---------------------------------------------------------------------------------------------
// Value domains: small, overlapping between columns and literals so joins and predicates hit

const SMALL_INTS = [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const INT_EXTREMES = [0, -1, 2_147_483_647, -2_147_483_648];
const BIGINT_EXTREMES = [0n, -1n, 2_147_483_647n, -2_147_483_648n, 1n << 40n, -(1n << 40n)];
/** Dyadic fractions of small magnitude: every sum of a few dozen of them is exact in float64. */
const DOUBLES = [0, 1, -1, 0.5, 1.5, -2.25, 3.75, 100.125, 1_000_000, -0.125, 2, 3];
/** Lowercase ASCII only: C, en_US and DuckDB's binary collation all order these alike. */
const TEXTS = ['', 'a', 'b', 'ab', 'abc', 'ba', 'bb', 'hello', 'x', 'zz'];
const DATES = [0, 1, -1, 8035, 9204, 9298, 10957, 18262, -3652, 20000];

const isoDate = (days: number): string => new Date(days * 86_400_000).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Schemas and data

const columnSpecArb = fc.record({ type: fc.constantFrom(...COL_TYPES), nullable: fc.boolean() });

/** 2–4 tables named t0…, each `id` plus 1–5 columns c1… of random types and nullability. */
export const schemaArb: fc.Arbitrary<RSchema> = fc
  .array(fc.array(columnSpecArb, { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 4 })
  .map((tables) => ({
    tables: tables.map((cols, t) => ({
      name: `t${t}`,
      columns: [
        { name: 'id', type: 'int' as const, nullable: false },
        ...cols.map((c, i) => ({ name: `c${i + 1}`, type: c.type, nullable: c.nullable })),
      ],
    })),
  }));

function valueArb(type: ColType): fc.Arbitrary<RValue> {
  switch (type) {
    case 'int':
      return fc.oneof({ arbitrary: fc.constantFrom(...SMALL_INTS), weight: 6 }, { arbitrary: fc.constantFrom(...INT_EXTREMES), weight: 1 });
    case 'bigint':
      return fc.oneof(
        { arbitrary: fc.constantFrom(...SMALL_INTS).map((n) => BigInt(n)), weight: 6 },
        { arbitrary: fc.constantFrom(...BIGINT_EXTREMES), weight: 1 },
      );
    case 'double':
      return fc.constantFrom(...DOUBLES);
    case 'text':
      return fc.oneof(
        { arbitrary: fc.constantFrom(...TEXTS), weight: 3 },
        { arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'z'), maxLength: 4 }), weight: 1 },
      );
    case 'bool':
      return fc.boolean();
    case 'date':
      return fc.oneof({ arbitrary: fc.constantFrom(...DATES), weight: 3 }, { arbitrary: fc.integer({ min: -25_000, max: 30_000 }), weight: 1 });
  }
}

function rowArb(table: RTable): fc.Arbitrary<RRow> {
  // The id is filled in later; nullable columns are NULL about one time in five.
  const cells = table.columns.slice(1).map((c) =>
    c.nullable ? fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: valueArb(c.type), weight: 4 }) : valueArb(c.type),
  );
  return fc.tuple(...cells);
}

/** Rows for every table of `schema`: 0–25 rows each, some repeated wholesale (apart from the id). */
export function datasetArb(schema: RSchema): fc.Arbitrary<RDataset> {
  const perTable = schema.tables.map((t) =>
    fc
      .tuple(
        // Mostly 4–20 rows (fast-check's small-size bias would otherwise make most tables nearly empty), sometimes none.
        fc.oneof({ arbitrary: fc.array(rowArb(t), { minLength: 4, maxLength: 20, size: 'max' }), weight: 9 }, { arbitrary: fc.constant<RRow[]>([]), weight: 1 }),
        fc.nat({ max: 5 }),
      )
      .map(([rows, dups]) => {
        const all = rows.concat(rows.slice(0, Math.min(dups, rows.length)));
        return all.map((r, i): RRow => [i + 1, ...r]);
      }),
  );
  return fc.tuple(...perTable).map((rowsPerTable) => ({
    schema,
    rows: Object.fromEntries(schema.tables.map((t, i) => [t.name, rowsPerTable[i]!])),
  }));
}

/** A random schema with its data. */
export const datasetWithSchemaArb: fc.Arbitrary<RDataset> = schemaArb.chain(datasetArb);

/** `CREATE TABLE` text for a random table. */
export function tableDdl(table: RTable): string {
  const cols = table.columns.map((c) => `${c.name} ${SQL_TYPE[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  return `CREATE TABLE ${table.name} (${cols.join(', ')})`;
}

/** A SQL literal of `value` typed as `type` (NULL is cast, so it has a type everywhere). */
export function sqlLiteral(type: ColType, value: RValue): string {
  if (value === null) return `CAST(NULL AS ${SQL_TYPE[type]})`;
  switch (type) {
    case 'int': return String(value);
    case 'bigint': return `CAST(${String(value)} AS bigint)`;
    case 'double': return `CAST(${String(value)} AS double precision)`;
    case 'text': return `'${String(value).replaceAll("'", "''")}'`;
    case 'bool': return value ? 'TRUE' : 'FALSE';
    case 'date': return `DATE '${isoDate(Number(value))}'`;
  }
}

/** `INSERT … VALUES` statements for a table's rows, `batch` rows per statement (for engines without a bulk path). */
export function insertStatements(table: RTable, rows: readonly RRow[], batch = 500): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const values = rows
      .slice(i, i + batch)
      .map((r) => `(${table.columns.map((c, j) => sqlLiteral(c.type, r[j] ?? null)).join(', ')})`);
    out.push(`INSERT INTO ${table.name} VALUES ${values.join(', ')}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Queries

/** Draws choices from fast-check, so failing queries shrink toward the simplest choices (0 = first, no). */
class Chooser {
  constructor(private readonly g: fc.GeneratorValue) {}

  int(min: number, max: number): number {
    return this.g(fc.integer, { min, max });
  }

  /** True with `percent`% probability; shrinks to false. */
  chance(percent: number): boolean {
    return this.int(0, 99) >= 100 - percent;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
}

interface ScopeCol {
  readonly sql: string;
  readonly type: ColType;
  readonly nullable: boolean;
}

interface Scope {
  readonly cols: readonly ScopeCol[];
  /** The `id` columns of every table in FROM: together a unique key of the joined rows. */
  readonly ids: readonly ScopeCol[];
}

/** A typed SQL expression. `exact` is false when engines may round it differently (avg). */
interface Ex {
  readonly sql: string;
  readonly type: ColType;
  readonly exact: boolean;
}

type TypeGroup = 'number' | 'text' | 'bool' | 'date';
const groupOf = (t: ColType): TypeGroup => (t === 'int' || t === 'bigint' || t === 'double' ? 'number' : t);
const NUMERIC: readonly ColType[] = ['int', 'bigint', 'double'];
const COMPARE_OPS = ['=', '<>', '<', '<=', '>', '>='];
const ORDER_DIRS = ['ASC NULLS FIRST', 'ASC NULLS LAST', 'DESC NULLS FIRST', 'DESC NULLS LAST'];

class QueryBuilder {
  private aliases = 0;
  /** Common table expressions the FROM clauses asked for; prefixed to the statement as one WITH. */
  private readonly ctes: string[] = [];

  constructor(
    private readonly schema: RSchema,
    private readonly c: Chooser,
  ) {}

  build(): GeneratedQuery {
    const shape = this.c.pick(['select', 'select', 'aggregate', 'aggregate', 'window', 'setop'] as const);
    const q = shape === 'select' ? this.simpleSelect() : shape === 'aggregate' ? this.aggregate() : shape === 'window' ? this.window() : this.setOperation();
    return this.ctes.length === 0 ? q : { ...q, sql: `WITH ${this.ctes.join(', ')} ${q.sql}` };
  }

  // --- FROM -----------------------------------------------------------------------------------

  private alias(prefix: string): string {
    return `${prefix}${this.aliases++}`;
  }

  private tableScope(table: RTable, alias: string, forceNullable: boolean): ScopeCol[] {
    return table.columns.map((col) => ({ sql: `${alias}.${col.name}`, type: col.type, nullable: col.nullable || forceNullable }));
  }

  /**
   * A table in FROM under `alias`: the base table, a filtered derived table, or a filtered CTE.
   * The last two keep every column (SELECT *), so `id` stays a unique key.
   */
  private source(table: RTable, alias: string): string {
    const kind = this.c.int(0, 19);
    if (kind < 15) return `${table.name} AS ${alias}`;
    const inner = this.alias('f');
    const body = `SELECT * FROM ${table.name} AS ${inner} WHERE ${this.predicate({ cols: this.tableScope(table, inner, false), ids: [] }, 1, false)}`;
    if (kind < 18) return `(${body}) AS ${alias}`;
    const name = `w${this.ctes.length}`;
    this.ctes.push(`${name} AS (${body})`);
    return `${name} AS ${alias}`;
  }

  /** One table, or a chain of 2–3 joined tables (inner, left, right, full; self-joins included). */
  private from(maxTables: number): { sql: string; scope: Scope } {
    const first = this.c.pick(this.schema.tables);
    const a0 = this.alias('a');
    let sql = this.source(first, a0);
    let cols: ScopeCol[] = this.tableScope(first, a0, false);
    const ids: ScopeCol[] = [cols[0]!];
    const joins = maxTables <= 1 ? 0 : this.c.chance(55) ? (maxTables > 2 && this.c.chance(30) ? 2 : 1) : 0;
    for (let j = 0; j < joins; j++) {
      const table = this.c.pick(this.schema.tables);
      const alias = this.alias('a');
      const kind = this.c.pick(['JOIN', 'JOIN', 'JOIN', 'LEFT JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN'] as const);
      const right = this.tableScope(table, alias, kind === 'LEFT JOIN' || kind === 'FULL JOIN');
      // PostgreSQL runs FULL JOIN only on merge- or hash-joinable conditions: a plain equality.
      const on = this.joinCondition(cols, right, kind !== 'FULL JOIN');
      sql += ` ${kind} ${this.source(table, alias)} ON ${on}`;
      if (kind === 'RIGHT JOIN' || kind === 'FULL JOIN') cols = cols.map((c) => ({ ...c, nullable: true }));
      cols = cols.concat(right);
      // Every output row is a distinct combination of base rows (NULL standing for none), so the ids stay a key.
      ids.push(right[0]!);
    }
    return { sql, scope: { cols, ids } };
  }

  private joinCondition(left: readonly ScopeCol[], right: readonly ScopeCol[], extra: boolean): string {
    const pairs: [ScopeCol, ScopeCol][] = [];
    for (const l of left) for (const r of right) if (groupOf(l.type) === groupOf(r.type) && l.type !== 'bool') pairs.push([l, r]);
    const [l, r] = pairs.length > 0 ? this.c.pick(pairs) : [left[0]!, right[0]!];
    let on = `${l.sql} = ${r.sql}`;
    if (extra && this.c.chance(25)) on += ` AND ${this.predicate({ cols: left.concat(right), ids: [] }, 1, false)}`;
    return on;
  }

  // --- scalar expressions -----------------------------------------------------------------------

  private literal(type: ColType): string {
    switch (type) {
      case 'int': return String(this.c.chance(15) ? this.c.pick(INT_EXTREMES) : this.c.pick(SMALL_INTS));
      case 'bigint': return sqlLiteral('bigint', this.c.chance(15) ? this.c.pick(BIGINT_EXTREMES) : BigInt(this.c.pick(SMALL_INTS)));
      case 'double': return sqlLiteral('double', this.c.pick(DOUBLES));
      case 'text': return sqlLiteral('text', this.c.pick(TEXTS));
      case 'bool': return this.c.chance(50) ? 'TRUE' : 'FALSE';
      case 'date': return sqlLiteral('date', this.c.pick(DATES));
    }
  }

  /** Columns usable where `type` is expected (an int column serves as bigint through a cast). */
  private columnsOf(scope: Scope, type: ColType): string[] {
    const out: string[] = [];
    for (const col of scope.cols) {
      if (col.type === type) out.push(col.sql);
      else if (type === 'bigint' && col.type === 'int') out.push(`CAST(${col.sql} AS bigint)`);
    }
    return out;
  }

  /** An expression of exactly `type`. Integer arithmetic happens in bigint on small factors: never overflows. */
  private value(scope: Scope, type: ColType, depth: number): string {
    const cols = this.columnsOf(scope, type);
    if (depth <= 0 || this.c.chance(55)) {
      return cols.length > 0 && this.c.chance(80) ? this.c.pick(cols) : this.literal(type);
    }
    const d = depth - 1;
    const form = this.c.int(0, 5);
    if (form === 0) return `CASE WHEN ${this.predicate(scope, d, false)} THEN ${this.value(scope, type, d)} ELSE ${this.value(scope, type, d)} END`;
    if (form === 1) return `COALESCE(${this.value(scope, type, d)}, ${this.value(scope, type, d)})`;
    if (form === 2) return `NULLIF(${this.value(scope, type, d)}, ${this.value(scope, type, d)})`;
    // GREATEST and LEAST skip NULL arguments in both PostgreSQL and DuckDB.
    if (form === 3 && type !== 'bool') return `${this.c.pick(['GREATEST', 'LEAST'])}(${this.value(scope, type, d)}, ${this.value(scope, type, d)})`;
    switch (type) {
      case 'bigint': {
        if (this.c.chance(15)) return `abs(${this.value(scope, 'bigint', d)})`;
        const op = this.c.pick(['+', '-', '*']);
        const rhs = op === '*' ? this.c.pick(['2', '3', '-1']) : this.value(scope, 'bigint', 0);
        return `(${this.value(scope, 'bigint', d)} ${op} ${rhs})`;
      }
      case 'double':
        return this.c.chance(50)
          ? `(${this.value(scope, 'double', d)} + ${this.value(scope, 'double', d)})`
          : `(${this.value(scope, 'double', d)} * ${this.c.pick(['0.5', '2', '-1.5'])})`;
      case 'int':
        return `length(${this.value(scope, 'text', d)})`;
      case 'text':
        return this.c.chance(50) ? `(${this.value(scope, 'text', d)} || ${this.value(scope, 'text', d)})` : `substr(${this.value(scope, 'text', d)}, 1, 2)`;
      case 'bool':
        return `(${this.predicate(scope, d, false)})`;
      case 'date':
        return cols.length > 0 ? this.c.pick(cols) : this.literal('date');
    }
  }

  /** A type some column of the scope has (or any type, rarely), for comparisons. */
  private someType(scope: Scope): ColType {
    return scope.cols.length > 0 && this.c.chance(85) ? this.c.pick(scope.cols).type : this.c.pick(COL_TYPES);
  }

  /** Another type comparable with `t` (ints, bigints and doubles compare with each other). */
  private comparable(t: ColType): ColType {
    return groupOf(t) === 'number' && this.c.chance(30) ? this.c.pick(NUMERIC) : t;
  }

  /** A boolean condition; subqueries only where `subqueries` (WHERE of a top-level query). */
  private predicate(scope: Scope, depth: number, subqueries: boolean): string {
    const form = this.c.int(0, depth > 0 ? (subqueries ? 12 : 9) : 5);
    const t = this.someType(scope);
    switch (form) {
      case 0:
      case 1: {
        const op = t === 'bool' ? this.c.pick(['=', '<>']) : this.c.pick(COMPARE_OPS);
        return `${this.value(scope, t, depth)} ${op} ${this.value(scope, this.comparable(t), depth)}`;
      }
      case 2:
        return `${this.value(scope, t, 0)} IS ${this.c.chance(50) ? 'NOT ' : ''}NULL`;
      case 3: {
        if (t === 'bool') return `${this.value(scope, t, 0)} IS ${this.c.chance(50) ? 'NOT ' : ''}TRUE`;
        const items: string[] = [];
        const n = this.c.int(1, 4);
        for (let i = 0; i < n; i++) items.push(this.c.chance(10) ? 'NULL' : this.literal(t));
        return `${this.value(scope, t, 0)} ${this.c.chance(30) ? 'NOT ' : ''}IN (${items.join(', ')})`;
      }
      case 4: {
        if (t === 'bool') return `${this.value(scope, t, 0)} IS DISTINCT FROM ${this.literal(t)}`;
        if (t === 'text' && this.c.chance(50)) {
          return `${this.value(scope, t, 0)} ${this.c.chance(30) ? 'NOT ' : ''}LIKE '${this.c.pick(['a%', '%b', '%a%', '_', '', 'a_%'])}'`;
        }
        return `${this.value(scope, t, 0)} ${this.c.chance(30) ? 'NOT ' : ''}BETWEEN ${this.literal(t)} AND ${this.literal(t)}`;
      }
      case 5:
        return `${this.value(scope, t, 0)} IS ${this.c.chance(50) ? 'NOT ' : ''}DISTINCT FROM ${this.value(scope, t, 0)}`;
      case 6:
      case 7:
        return `(${this.predicate(scope, depth - 1, subqueries)} ${this.c.pick(['AND', 'OR'])} ${this.predicate(scope, depth - 1, subqueries)})`;
      case 8:
        return `NOT (${this.predicate(scope, depth - 1, subqueries)})`;
      case 9:
        return this.value(scope, 'bool', depth - 1);
      case 10:
        return this.existsSubquery(scope);
      case 11:
        return this.inSubquery(scope);
      default:
        return this.scalarSubqueryComparison(scope);
    }
  }

  // --- subqueries ---------------------------------------------------------------------------------

  private subTable(): { table: RTable; alias: string; scope: Scope } {
    const table = this.c.pick(this.schema.tables);
    const alias = this.alias('s');
    const cols = this.tableScope(table, alias, false);
    return { table, alias, scope: { cols, ids: [cols[0]!] } };
  }

  /** `inner.x op outer.y` for a comparable pair, or a plain predicate on the subquery's table. */
  private correlation(outer: Scope, inner: Scope): string {
    const pairs: [ScopeCol, ScopeCol][] = [];
    for (const i of inner.cols) for (const o of outer.cols) if (groupOf(i.type) === groupOf(o.type) && i.type !== 'bool') pairs.push([i, o]);
    if (pairs.length === 0 || this.c.chance(20)) return this.predicate(inner, 1, false);
    const [i, o] = this.c.pick(pairs);
    return `${i.sql} ${this.c.chance(75) ? '=' : this.c.pick(COMPARE_OPS)} ${o.sql}`;
  }

  private existsSubquery(outer: Scope): string {
    const sub = this.subTable();
    let where = this.correlation(outer, sub.scope);
    if (this.c.chance(30)) where += ` AND ${this.predicate(sub.scope, 1, false)}`;
    return `${this.c.chance(30) ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${sub.table.name} AS ${sub.alias} WHERE ${where})`;
  }

  private inSubquery(outer: Scope): string {
    const sub = this.subTable();
    const col = this.c.pick(sub.scope.cols.filter((x) => x.type !== 'bool'));
    const lhs = this.value(outer, this.comparable(col.type), 0);
    const where = this.c.chance(50) ? ` WHERE ${this.predicate(sub.scope, 1, false)}` : '';
    return `${lhs} ${this.c.chance(30) ? 'NOT ' : ''}IN (SELECT ${col.sql} FROM ${sub.table.name} AS ${sub.alias}${where})`;
  }

  private scalarSubqueryComparison(outer: Scope): string {
    const sq = this.scalarSubquery(outer);
    const op = sq.type === 'bool' ? this.c.pick(['=', '<>']) : this.c.pick(COMPARE_OPS);
    return `${this.value(outer, this.comparable(sq.type), 0)} ${op} ${sq.sql}`;
  }

  /** A subquery returning exactly one row (an aggregate without GROUP BY), often correlated. */
  private scalarSubquery(outer: Scope): Ex {
    const sub = this.subTable();
    const where = this.c.chance(70) ? ` WHERE ${this.correlation(outer, sub.scope)}` : '';
    const col = this.c.pick(sub.scope.cols.filter((x) => x.type !== 'bool'));
    if (this.c.chance(40)) return { sql: `(SELECT count(*) FROM ${sub.table.name} AS ${sub.alias}${where})`, type: 'bigint', exact: true };
    const fn = this.c.pick(['min', 'max']);
    return { sql: `(SELECT ${fn}(${col.sql}) FROM ${sub.table.name} AS ${sub.alias}${where})`, type: col.type, exact: true };
  }

  // --- ORDER BY / LIMIT ------------------------------------------------------------------------

  /**
   * Ends a query. A total ORDER BY (every output column; identical rows are interchangeable)
   * fixes the order; LIMIT is only added after one, and only when no output column is rounded
   * differently by different engines.
   */
  private orderAndLimit(outputs: readonly Ex[]): { sql: string; ordered: boolean } {
    const exact = outputs.every((o) => o.exact);
    const mode = this.c.int(0, exact ? 3 : 1);
    if (mode === 0) return { sql: '', ordered: false };
    if (mode === 1) {
      const pos = this.c.int(1, outputs.length);
      return { sql: ` ORDER BY ${pos} ${this.c.pick(ORDER_DIRS)}`, ordered: false };
    }
    const keys = outputs.map((_, i) => `${i + 1} ${this.c.pick(ORDER_DIRS)}`);
    let sql = ` ORDER BY ${keys.join(', ')}`;
    if (mode === 3) {
      sql += ` LIMIT ${this.c.int(0, 10)}`;
      if (this.c.chance(30)) sql += ` OFFSET ${this.c.int(0, 5)}`;
    }
    return { sql, ordered: true };
  }

  private selectList(items: readonly Ex[]): string {
    return items.map((e, i) => `${e.sql} AS o${i}`).join(', ');
  }

  private columnOrValue(scope: Scope): Ex {
    if (this.c.chance(70)) {
      const col = this.c.pick(scope.cols);
      return { sql: col.sql, type: col.type, exact: true };
    }
    const type = this.c.pick(COL_TYPES);
    return { sql: this.value(scope, type, 2), type, exact: true };
  }

  // --- query shapes ------------------------------------------------------------------------------

  private simpleSelect(): GeneratedQuery {
    const { sql: from, scope } = this.from(3);
    const items: Ex[] = [];
    const n = this.c.int(1, 4);
    for (let i = 0; i < n; i++) items.push(this.c.chance(10) ? this.scalarSubquery(scope) : this.columnOrValue(scope));
    const distinct = this.c.chance(20) ? 'DISTINCT ' : '';
    const where = this.c.chance(75) ? ` WHERE ${this.predicate(scope, 2, true)}` : '';
    const tail = this.orderAndLimit(items);
    return { sql: `SELECT ${distinct}${this.selectList(items)} FROM ${from}${where}${tail.sql}`, ordered: tail.ordered, shape: 'select' };
  }

  private aggregateCall(scope: Scope): Ex {
    const col = this.c.pick(scope.cols);
    const numeric = scope.cols.filter((x) => groupOf(x.type) === 'number');
    switch (this.c.int(0, 9)) {
      case 7: {
        if (numeric.length === 0) return { sql: 'count(*)', type: 'bigint', exact: true };
        const x = this.c.pick(numeric);
        return { sql: `sum(DISTINCT ${x.sql})`, type: x.type === 'double' ? 'double' : 'bigint', exact: true };
      }
      case 8: return { sql: `count(*) FILTER (WHERE ${this.predicate(scope, 1, false)})`, type: 'bigint', exact: true };
      case 9: {
        const texts = scope.cols.filter((x) => x.type === 'text');
        if (texts.length === 0) return { sql: `count(${col.sql})`, type: 'bigint', exact: true };
        // Ordered by the aggregated value itself: ties are equal strings, so the result is determined.
        const t = this.c.pick(texts).sql;
        return { sql: `string_agg(${t}, ',' ORDER BY ${t} ${this.c.pick(ORDER_DIRS)})`, type: 'text', exact: true };
      }
      case 0: return { sql: 'count(*)', type: 'bigint', exact: true };
      case 1: return { sql: `count(${col.sql})`, type: 'bigint', exact: true };
      case 2: return { sql: `count(DISTINCT ${col.sql})`, type: 'bigint', exact: true };
      case 3: {
        if (numeric.length === 0) return { sql: 'count(*)', type: 'bigint', exact: true };
        const x = this.c.pick(numeric);
        // sum(int) is bigint in PostgreSQL and HUGEINT in DuckDB; the comparator treats integers alike.
        return { sql: `sum(${x.sql})`, type: x.type === 'double' ? 'double' : 'bigint', exact: true };
      }
      case 4: {
        if (numeric.length === 0) return { sql: 'count(*)', type: 'bigint', exact: true };
        // avg is numeric in PostgreSQL and double in DuckDB: compared with a tolerance, never ordered on.
        return { sql: `avg(${this.c.pick(numeric).sql})`, type: 'double', exact: false };
      }
      case 5: {
        const bools = scope.cols.filter((x) => x.type === 'bool');
        if (bools.length === 0) return { sql: 'count(*)', type: 'bigint', exact: true };
        return { sql: `${this.c.pick(['bool_and', 'bool_or'])}(${this.c.pick(bools).sql})`, type: 'bool', exact: true };
      }
      default: {
        // PostgreSQL has no min/max over boolean.
        const x = this.c.pick(scope.cols.filter((y) => y.type !== 'bool'));
        return { sql: `${this.c.pick(['min', 'max'])}(${x.sql})`, type: x.type, exact: true };
      }
    }
  }

  /** A column, or COALESCE(column, literal); never a bare literal, which GROUP BY would read as a position. */
  private groupKey(scope: Scope): Ex {
    const col = this.c.pick(scope.cols);
    const sql = col.nullable && this.c.chance(25) ? `COALESCE(${col.sql}, ${this.literal(col.type)})` : col.sql;
    return { sql, type: col.type, exact: true };
  }

  private aggregate(): GeneratedQuery {
    const { sql: from, scope } = this.from(3);
    const keys: Ex[] = [];
    const nKeys = this.c.int(0, 2);
    for (let i = 0; i < nKeys; i++) keys.push(this.groupKey(scope));
    const aggs: Ex[] = [];
    const nAggs = this.c.int(1, 3);
    for (let i = 0; i < nAggs; i++) aggs.push(this.aggregateCall(scope));
    const where = this.c.chance(50) ? ` WHERE ${this.predicate(scope, 2, true)}` : '';
    let group = keys.length > 0 ? ` GROUP BY ${keys.map((k) => k.sql).join(', ')}` : '';
    if (keys.length > 0 && this.c.chance(35)) {
      const agg = this.aggregateCall(scope);
      const cond =
        agg.type === 'bool' ? agg.sql
        : groupOf(agg.type) === 'number' ? `${agg.sql} ${this.c.pick(COMPARE_OPS)} ${this.literal(agg.type === 'double' ? 'double' : 'int')}`
        : `${agg.sql} IS NOT NULL`;
      group += ` HAVING ${cond}`;
    }
    const outputs = keys.concat(aggs);
    const tail = this.orderAndLimit(outputs);
    return { sql: `SELECT ${this.selectList(outputs)} FROM ${from}${where}${group}${tail.sql}`, ordered: tail.ordered, shape: 'aggregate' };
  }

  /** ORDER BY keys that make a window's order total: optional leading column, then every id. */
  private totalOrder(scope: Scope): string {
    const keys: string[] = [];
    if (this.c.chance(50)) keys.push(`${this.c.pick(scope.cols).sql} ${this.c.pick(ORDER_DIRS)}`);
    for (const id of scope.ids) keys.push(`${id.sql} ${this.c.pick(ORDER_DIRS)}`);
    return keys.join(', ');
  }

  private windowCall(scope: Scope): Ex {
    const partition = this.c.chance(60) ? `PARTITION BY ${this.c.pick(scope.cols).sql}` : '';
    const over = (order: string): string => `OVER (${[partition, order ? `ORDER BY ${order}` : ''].filter((x) => x).join(' ')})`;
    const key = (): string => `${this.c.pick(scope.cols).sql} ${this.c.pick(ORDER_DIRS)}`;
    const numeric = scope.cols.filter((x) => groupOf(x.type) === 'number');
    switch (this.c.int(0, 5)) {
      case 0: return { sql: `row_number() ${over(this.totalOrder(scope))}`, type: 'bigint', exact: true };
      // Ties get equal ranks, so rank needs no total order.
      case 1: return { sql: `${this.c.pick(['rank', 'dense_rank'])}() ${over(key())}`, type: 'bigint', exact: true };
      case 2: {
        if (numeric.length === 0) return { sql: `count(*) ${over('')}`, type: 'bigint', exact: true };
        const x = this.c.pick(numeric);
        // The default frame (RANGE … CURRENT ROW) includes peers, so ties in the key cannot change a sum.
        return { sql: `sum(${x.sql}) ${over(this.c.chance(60) ? key() : '')}`, type: x.type === 'double' ? 'double' : 'bigint', exact: true };
      }
      case 3: return { sql: `count(*) ${over('')}`, type: 'bigint', exact: true };
      case 4: {
        const x = this.c.pick(scope.cols.filter((y) => y.type !== 'bool'));
        return { sql: `${this.c.pick(['min', 'max'])}(${x.sql}) ${over('')}`, type: x.type, exact: true };
      }
      default: {
        const x = this.c.pick(scope.cols);
        return { sql: `${this.c.pick(['lag', 'lead'])}(${x.sql}) ${over(this.totalOrder(scope))}`, type: x.type, exact: true };
      }
    }
  }

  private window(): GeneratedQuery {
    const { sql: from, scope } = this.from(2);
    const items: Ex[] = [];
    const nCols = this.c.int(0, 2);
    for (let i = 0; i < nCols; i++) items.push(this.columnOrValue(scope));
    const nWin = this.c.int(1, 2);
    for (let i = 0; i < nWin; i++) items.push(this.windowCall(scope));
    const where = this.c.chance(50) ? ` WHERE ${this.predicate(scope, 1, false)}` : '';
    const tail = this.orderAndLimit(items);
    return { sql: `SELECT ${this.selectList(items)} FROM ${from}${where}${tail.sql}`, ordered: tail.ordered, shape: 'window' };
  }

  private setOperation(): GeneratedQuery {
    const types: ColType[] = [];
    const n = this.c.int(1, 2);
    for (let i = 0; i < n; i++) types.push(this.c.pick(COL_TYPES));
    const branch = (aliased: boolean): string => {
      const { sql: from, scope } = this.from(2);
      const items = types.map((t): Ex => ({ sql: this.value(scope, t, this.c.chance(30) ? 1 : 0), type: t, exact: true }));
      const list = aliased ? this.selectList(items) : items.map((e) => e.sql).join(', ');
      const where = this.c.chance(60) ? ` WHERE ${this.predicate(scope, 1, false)}` : '';
      return `SELECT ${list} FROM ${from}${where}`;
    };
    const op = this.c.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT', 'INTERSECT ALL', 'EXCEPT ALL']);
    const left = branch(true);
    const right = branch(false);
    const tail = this.orderAndLimit(types.map((t) => ({ sql: '', type: t, exact: true })));
    return { sql: `${left} ${op} ${right}${tail.sql}`, ordered: tail.ordered, shape: 'setop' };
  }
}

/** Random queries over `schema`, each tagged with whether its row order is fixed. */
export function queryArb(schema: RSchema): fc.Arbitrary<GeneratedQuery> {
  return fc.gen().map((g) => new QueryBuilder(schema, new Chooser(g)).build());
}

// ---------------------------------------------------------------------------------------------
// Result comparison

export interface CompareOptions {
  /** Compare rows in order (the query's ORDER BY fixes it) instead of as multisets. */
  readonly ordered: boolean;
  /** Relative tolerance for non-integer numbers. Default 1e-9. */
  readonly relTol?: number;
  /** Absolute tolerance for non-integer numbers. Default 1e-9. */
  readonly absTol?: number;
}

/** A normalized cell: integers of any carrier become bigint, other numbers float, the rest as-is. */
type Norm = null | boolean | bigint | number | string | { readonly bytes: string } | { readonly json: string };

const DECIMAL_TEXT = /^-?\d+\.\d+$/;

function jsonOf(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Array.from(x) : x));
}

function normalize(v: unknown): Norm {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return { bytes: Array.from(v).join(',') };
  return { json: jsonOf(v) };
}

/** Numeric view of a normalized cell, for cross-type numeric comparison; undefined when not numeric. */
function numeric(n: Norm, otherIsNumber: boolean): number | bigint | undefined {
  if (typeof n === 'number' || typeof n === 'bigint') return n;
  // A decimal rendered as text (`12.50`) meets a number from the other engine.
  if (typeof n === 'string' && DECIMAL_TEXT.test(n) && otherIsNumber) return Number(n);
  if (typeof n === 'string' && /^-?\d+$/.test(n) && otherIsNumber) return BigInt(n);
  return undefined;
}

function cellsEqual(a: Norm, b: Norm, relTol: number, absTol: number): boolean {
  if (a === null || b === null) return a === b;
  const aNum = typeof a === 'number' || typeof a === 'bigint';
  const bNum = typeof b === 'number' || typeof b === 'bigint';
  if (typeof a === 'string' && typeof b === 'string') {
    if (a === b) return true;
    return DECIMAL_TEXT.test(a) && DECIMAL_TEXT.test(b) && floatsClose(Number(a), Number(b), relTol, absTol);
  }
  const x = numeric(a, bNum || (typeof b === 'string' && DECIMAL_TEXT.test(b)));
  const y = numeric(b, aNum || (typeof a === 'string' && DECIMAL_TEXT.test(a)));
  if (x !== undefined && y !== undefined) {
    if (typeof x === 'bigint' && typeof y === 'bigint') return x === y;
    return floatsClose(Number(x), Number(y), relTol, absTol);
  }
  if (typeof a === 'object' && typeof b === 'object') return jsonOf(a) === jsonOf(b);
  return a === b;
}

function floatsClose(x: number, y: number, relTol: number, absTol: number): boolean {
  if (x === y) return true;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  return Math.abs(x - y) <= absTol + relTol * Math.max(Math.abs(x), Math.abs(y));
}

/** A sort key that puts equal-within-tolerance rows next to each other (floats rounded to 9 digits). */
function rowKey(row: readonly Norm[]): string {
  return row
    .map((c) => {
      if (c === null) return 'N';
      if (typeof c === 'bigint') return `i${c}`;
      if (typeof c === 'number') return Number.isInteger(c) ? `i${c}` : `f${c.toPrecision(9)}`;
      if (typeof c === 'string') return DECIMAL_TEXT.test(c) ? `f${Number(c).toPrecision(9)}` : `s${c}`;
      if (typeof c === 'boolean') return `b${c}`;
      return jsonOf(c);
    })
    .join('\u0001');
}

const show = (row: readonly unknown[]): string => jsonOf(row);

/**
 * Compares two results (rows of cells). Integers compare exactly whatever carries them (number,
 * bigint, integral decimal text); other numbers, and decimal text against numbers, compare with a
 * tolerance. Returns undefined when equal, else a message naming the first difference.
 */
export function compareResults(
  expected: readonly (readonly unknown[])[],
  actual: readonly (readonly unknown[])[],
  opts: CompareOptions,
): string | undefined {
  const relTol = opts.relTol ?? 1e-9;
  const absTol = opts.absTol ?? 1e-9;
  if (expected.length !== actual.length) {
    return `row count differs: expected ${expected.length}, got ${actual.length}\nexpected: ${expected.slice(0, 10).map(show).join('\n          ')}\nactual:   ${actual.slice(0, 10).map(show).join('\n          ')}`;
  }
  const e = expected.map((r) => r.map(normalize));
  const a = actual.map((r) => r.map(normalize));
  const rowEqual = (x: readonly Norm[], y: readonly Norm[]): boolean =>
    x.length === y.length && x.every((c, i) => cellsEqual(c, y[i]!, relTol, absTol));
  if (opts.ordered) {
    for (let i = 0; i < e.length; i++) {
      if (!rowEqual(e[i]!, a[i]!)) return `row ${i} differs: expected ${show(expected[i]!)}, got ${show(actual[i]!)}`;
    }
    return undefined;
  }
  const byKey = (rows: Norm[][]): Norm[][] => rows.map((r) => ({ r, k: rowKey(r) })).sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0)).map((x) => x.r);
  const es = byKey(e);
  const as = byKey(a);
  if (es.every((r, i) => rowEqual(r, as[i]!))) return undefined;
  // Sorting by rounded keys can separate rows that are equal within tolerance: match greedily.
  const used = new Array<boolean>(as.length).fill(false);
  for (const row of es) {
    const j = as.findIndex((cand, k) => !used[k] && rowEqual(row, cand));
    if (j < 0) return `expected row missing from the result: ${show(row)}\nresult rows: ${as.slice(0, 10).map(show).join('\n             ')}`;
    used[j] = true;
  }
  return undefined;
}
