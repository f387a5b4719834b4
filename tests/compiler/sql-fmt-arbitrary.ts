// fast-check generators of SQL ASTs, restricted to trees the parser can produce (so fmt → parse must
// give them back). Spans are dummies: the round-trip test strips them.

import fc from 'fast-check';
import type * as A from '../../compiler/frontends/sql/ast.ts';

const S = { start: 0, end: 0 };
type Arb<T> = fc.Arbitrary<T>;

const plainName = fc.constantFrom('a', 'b', 'c', 'x1', 'foo_bar', 'tbl', 'y$', 'été');
const quotedName = fc.constantFrom('Mixed', 'select', 'with space', 'a"b', 'Ünï', 'order');

export const ident: Arb<A.Ident> = fc.oneof(
  { weight: 4, arbitrary: plainName.map((name): A.Ident => ({ kind: 'ident', name, quoted: false, span: S })) },
  { weight: 1, arbitrary: quotedName.map((name): A.Ident => ({ kind: 'ident', name, quoted: true, span: S })) },
);

const qname: Arb<A.QName> = fc.array(ident, { minLength: 1, maxLength: 2 }).map((parts) => ({ kind: 'qname', parts, span: S }));
const idents = (min: number, max: number): Arb<A.Ident[]> => fc.array(ident, { minLength: min, maxLength: max });

function typeName(name: string, modifiers: number[] = [], arrayDims = 0): A.TypeName {
  return { kind: 'type-name', name, modifiers, arrayDims, span: S };
}

const scalarType: Arb<A.TypeName> = fc.constantFrom(
  typeName('int'), typeName('bigint'), typeName('text'), typeName('boolean'), typeName('date'), typeName('jsonb'),
  typeName('uuid'), typeName('double precision'), typeName('character varying', [20]), typeName('varchar', [5]),
  typeName('numeric', [10, 2]), typeName('timestamp'), typeName('timestamp', [3]), typeName('timestamp with time zone'),
  typeName('timestamp with time zone', [6]), typeName('time without time zone'), typeName('interval'), typeName('bit varying', [8]),
  typeName('MyType'),
);
const anyType: Arb<A.TypeName> = fc.tuple(scalarType, fc.nat(2)).map(([t, d]) => ({ ...t, arrayDims: d }));
const literalType: Arb<A.TypeName> = scalarType.filter((t) => t.name !== 'interval');

const literalValue: Arb<A.LiteralValue> = fc.oneof(
  fc.constant<A.LiteralValue>({ kind: 'null' }),
  fc.boolean().map((value): A.LiteralValue => ({ kind: 'bool', value })),
  fc.nat().map((n): A.LiteralValue => ({ kind: 'integer', text: String(n) })),
  fc.constantFrom('1.5', '.5', '10.', '0.001').map((text): A.LiteralValue => ({ kind: 'decimal', text })),
  fc.constantFrom('1e5', '2.5e-3', '1.e3', '7e+2').map((text): A.LiteralValue => ({ kind: 'float', text })),
  fc.string({ unit: 'binary', maxLength: 8 }).map((value): A.LiteralValue => ({ kind: 'string', value, form: 'plain' })),
  fc.string({ unit: 'binary-ascii', maxLength: 8 }).map((value): A.LiteralValue => ({ kind: 'string', value, form: 'escape' })),
  fc.string({ unit: 'binary', maxLength: 8 }).map((value): A.LiteralValue => ({ kind: 'string', value, form: 'dollar' })),
);

const leaf: Arb<A.Expr> = fc.oneof(
  { weight: 4, arbitrary: qname.map((name): A.Expr => ({ kind: 'column-ref', name, span: S })) },
  { weight: 3, arbitrary: literalValue.map((value): A.Expr => ({ kind: 'literal', value, span: S })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }).map((index): A.Expr => ({ kind: 'param', index, span: S })) },
  {
    weight: 1,
    arbitrary: fc.tuple(literalType, fc.string({ maxLength: 6 })).map(([type, value]): A.Expr => ({ kind: 'typed-literal', type, value, span: S })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 6 }), fc.option(fc.constantFrom('day', 'month', 'year to month', 'hour to second'), { nil: undefined }))
      .map(([value, unit]): A.Expr => ({ kind: 'interval-literal', value, unit, span: S })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('current_date', 'current_timestamp', 'localtime', 'current_user').map((n): A.Expr => call(n, [])),
  },
);

function call(name: string, args: A.Expr[]): A.FuncCallExpr {
  return {
    kind: 'func-call',
    name: { kind: 'qname', parts: [{ kind: 'ident', name, quoted: false, span: S }], span: S },
    args, star: false, distinct: false, orderBy: [], filter: undefined, over: undefined, span: S,
  };
}

const BINARY_OPS: A.BinaryOp[] = [
  '+', '-', '*', '/', '%', '^', '=', '<>', '!=', '<', '<=', '>', '>=', 'and', 'or', '||',
  '->', '->>', '#>', '#>>', '@>', '<@', '?', '&', '|', '#', '<<', '>>',
];
const COMPARISONS: A.BinaryOp[] = ['=', '<>', '!=', '<', '<=', '>', '>='];

const exprCache = new Map<number, Arb<A.Expr>>();

/** Expressions of at most `depth` levels of nesting. */
export function expr(depth: number): Arb<A.Expr> {
  if (depth <= 0) return leaf;
  const cached = exprCache.get(depth);
  if (cached) return cached;
  const e = expr(depth - 1);
  const list = (min: number, max: number) => fc.array(e, { minLength: min, maxLength: max });
  const q = smallQuery(depth - 1);
  const arb: Arb<A.Expr> = fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom<A.UnaryOp>('-', '+', '~', 'not'), e).map(([op, operand]): A.Expr => ({ kind: 'unary', op, operand, span: S })) },
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...BINARY_OPS), e, e).map(([op, left, right]): A.Expr => ({ kind: 'binary', op, left, right, span: S })) },
    { weight: 2, arbitrary: funcCall(depth) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.option(e, { nil: undefined }), fc.array(fc.record({ when: e, then: e }), { minLength: 1, maxLength: 2 }), fc.option(e, { nil: undefined }))
        .map(([operand, whens, els]): A.Expr => ({ kind: 'case', operand, whens, else: els, span: S })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(e, anyType, fc.constantFrom<'cast' | 'colons'>('cast', 'colons')).map(([x, type, syntax]): A.Expr => ({ kind: 'cast', expr: x, type, syntax, span: S })),
    },
    { weight: 1, arbitrary: fc.tuple(q, fc.boolean()).map(([query, array]): A.Expr => ({ kind: 'subquery', query, array, span: S })) },
    { weight: 1, arbitrary: q.map((query): A.Expr => ({ kind: 'exists', query, span: S })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(e, list(1, 3), fc.boolean())
        // `x IN ((SELECT …))` is an IN-subquery to PostgreSQL too, so a lone subquery item cannot come back as a list.
        .filter(([, l]) => !(l.length === 1 && l[0]!.kind === 'subquery' && !l[0]!.array))
        .map(([x, l, negated]): A.Expr => ({ kind: 'in-list', expr: x, list: l, negated, span: S })),
    },
    { weight: 1, arbitrary: fc.tuple(e, q, fc.boolean()).map(([x, query, negated]): A.Expr => ({ kind: 'in-subquery', expr: x, query, negated, span: S })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...COMPARISONS), fc.constantFrom<'any' | 'all'>('any', 'all'), e, fc.oneof(q.map((query) => ({ kind: 'query' as const, query })), e.filter((x) => x.kind !== 'subquery').map((x) => ({ kind: 'expr' as const, expr: x }))))
        .map(([op, quantifier, x, source]): A.Expr => ({ kind: 'quantified', op, quantifier, expr: x, source, span: S })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(e, e, e, fc.boolean(), fc.boolean()).map(([x, low, high, negated, symmetric]): A.Expr => ({ kind: 'between', expr: x, low, high, negated, symmetric, span: S })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(e, e, fc.option(e, { nil: undefined }), fc.boolean(), fc.boolean())
        .map(([x, pattern, escape, caseInsensitive, negated]): A.Expr => ({ kind: 'like', expr: x, pattern, escape, caseInsensitive, negated, span: S })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(e, fc.boolean(), fc.oneof(fc.constantFrom<A.IsExpr['test']>({ kind: 'null' }, { kind: 'true' }, { kind: 'false' }, { kind: 'unknown' }), e.map((other): A.IsExpr['test'] => ({ kind: 'distinct-from', other }))))
        .map(([x, negated, test]): A.Expr => ({ kind: 'is', expr: x, negated, test, span: S })),
    },
    { weight: 1, arbitrary: list(0, 3).map((elements): A.Expr => ({ kind: 'array', elements, span: S })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(e, e, fc.boolean(), fc.option(e, { nil: undefined }))
        .map(([x, index, slice, upper]): A.Expr => ({ kind: 'subscript', expr: x, index, upper: slice ? upper : undefined, slice, span: S })),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        list(0, 3).map((fields): A.Expr => ({ kind: 'row', fields, explicit: true, span: S })),
        list(2, 3).map((fields): A.Expr => ({ kind: 'row', fields, explicit: false, span: S })),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('year', 'month', 'epoch', 'dow'), e).map(([field, x]): A.Expr => ({ kind: 'extract', field, expr: x, span: S })),
    },
  );
  exprCache.set(depth, arb);
  return arb;
}

function orderItems(e: Arb<A.Expr>, max: number): Arb<A.OrderItem[]> {
  return fc.array(
    fc
      .tuple(e, fc.option(fc.constantFrom<'asc' | 'desc'>('asc', 'desc'), { nil: undefined }), fc.option(fc.constantFrom<'first' | 'last'>('first', 'last'), { nil: undefined }))
      .map(([x, direction, nulls]): A.OrderItem => ({ kind: 'order-item', expr: x, direction, nulls, span: S })),
    { maxLength: max },
  );
}

function frameBound(e: Arb<A.Expr>): Arb<A.FrameBound> {
  return fc.oneof(
    fc.constantFrom<A.FrameBound>({ kind: 'unbounded-preceding' }, { kind: 'current-row' }, { kind: 'unbounded-following' }),
    e.map((offset): A.FrameBound => ({ kind: 'preceding', offset })),
    e.map((offset): A.FrameBound => ({ kind: 'following', offset })),
  );
}

function windowSpec(e: Arb<A.Expr>): Arb<A.WindowSpec> {
  const frame = fc
    .tuple(fc.constantFrom<'rows' | 'range' | 'groups'>('rows', 'range', 'groups'), frameBound(e), fc.option(frameBound(e), { nil: undefined }))
    .map(([units, start, end]): A.WindowFrame => ({ kind: 'window-frame', units, start, end, span: S }));
  return fc
    .tuple(fc.option(ident, { nil: undefined }), fc.array(e, { maxLength: 2 }), orderItems(e, 2), fc.option(frame, { nil: undefined }))
    .map(([base, partitionBy, orderBy, fr]): A.WindowSpec => ({ kind: 'window-spec', base, partitionBy, orderBy, frame: fr, span: S }));
}

function funcCall(depth: number): Arb<A.Expr> {
  const e = expr(depth - 1);
  const name = fc.oneof(
    fc.constantFrom('f', 'sum', 'coalesce', 'left', 'string_agg').map((n) => call(n, []).name),
    qname.filter((q) => q.parts.length === 2),
  );
  return fc
    .tuple(name, fc.array(e, { maxLength: 3 }), fc.boolean(), fc.boolean(), orderItems(e, 1), fc.option(e, { nil: undefined }), fc.option(windowSpec(expr(Math.max(0, depth - 2))), { nil: undefined }))
    .map(([n, args, star, distinct, orderBy, filter, over]): A.Expr => ({
      kind: 'func-call',
      name: n,
      args: star ? [] : args,
      star,
      distinct: !star && args.length > 0 && distinct,
      orderBy: star ? [] : orderBy,
      filter,
      over,
      span: S,
    }));
}

function noLimit(body: A.QueryBody): A.Query {
  return { kind: 'query', with: undefined, body, orderBy: [], limit: undefined, offset: undefined, fetch: false, span: S };
}

/** `SELECT e FROM t [WHERE e]`: small enough to nest inside expressions. */
function smallQuery(depth: number): Arb<A.Query> {
  const e = expr(Math.min(depth, 1));
  return fc
    .tuple(e, qname, fc.option(e, { nil: undefined }))
    .map(([x, t, where]) =>
      noLimit({
        kind: 'select', distinct: false, distinctOn: [],
        items: [{ kind: 'select-item', expr: x, alias: undefined, span: S }],
        from: [{ kind: 'table-ref', name: t, alias: undefined, span: S }],
        where, groupBy: [], having: undefined, windows: [], span: S,
      }),
    );
}

const tableAlias: Arb<A.TableAlias | undefined> = fc.option(
  fc.tuple(ident, idents(0, 2)).map(([name, columns]): A.TableAlias => ({ kind: 'table-alias', name, columns, span: S })),
  { nil: undefined },
);

function fromItem(depth: number): Arb<A.FromItem> {
  const e = expr(1);
  const table = fc.tuple(qname, tableAlias).map(([name, alias]): A.FromItem => ({ kind: 'table-ref', name, alias, span: S }));
  if (depth <= 0) return table;
  const derived = fc
    .tuple(fc.boolean(), query(depth - 1), tableAlias)
    .map(([lateral, q, alias]): A.FromItem => ({ kind: 'derived-table', lateral, query: q, alias, span: S }));
  const fn = fc
    .tuple(fc.array(e, { maxLength: 2 }), fc.boolean(), tableAlias)
    .map(([args, ordinality, alias]): A.FromItem => ({ kind: 'function-table', call: call('generate_series', args), ordinality, alias, span: S }));
  const primary = fc.oneof({ weight: 3, arbitrary: table }, derived, fn);
  const join = fc
    .tuple(
      fromItem(depth - 1),
      fc.oneof({ weight: 3, arbitrary: primary }, fromItem(depth - 1)),
      fc.constantFrom<A.JoinExpr['joinType']>('inner', 'left', 'right', 'full', 'cross'),
      fc.constantFrom<'on' | 'using' | 'natural'>('on', 'using', 'natural'),
      e,
      idents(1, 2),
    )
    .map(([left, right, joinType, cond, on, using]): A.FromItem => {
      if (joinType === 'cross') return { kind: 'join', joinType, natural: false, left, right, on: undefined, using: [], span: S };
      if (cond === 'natural') return { kind: 'join', joinType, natural: true, left, right, on: undefined, using: [], span: S };
      return { kind: 'join', joinType, natural: false, left, right, on: cond === 'on' ? on : undefined, using: cond === 'using' ? using : [], span: S };
    });
  return fc.oneof({ weight: 3, arbitrary: primary }, { weight: 2, arbitrary: join });
}

function select(depth: number): Arb<A.Select> {
  const e = expr(1);
  const cond = expr(2);
  const item = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(e, fc.option(ident, { nil: undefined })).map(([x, alias]): A.SelectItem => ({ kind: 'select-item', expr: x, alias, span: S })) },
    { weight: 1, arbitrary: fc.constant<A.SelectItem>({ kind: 'select-item', expr: { kind: 'star', table: undefined, span: S }, alias: undefined, span: S }) },
    { weight: 1, arbitrary: qname.map((t): A.SelectItem => ({ kind: 'select-item', expr: { kind: 'star', table: t, span: S }, alias: undefined, span: S })) },
  );
  const named = fc.tuple(ident, windowSpec(expr(1))).map(([name, spec]): A.NamedWindow => ({ kind: 'named-window', name, spec, span: S }));
  return fc
    .record({
      distinctOn: fc.array(e, { maxLength: 2 }),
      distinct: fc.boolean(),
      items: fc.array(item, { maxLength: 3 }),
      from: fc.array(fromItem(depth), { maxLength: 2 }),
      where: fc.option(cond, { nil: undefined }),
      groupBy: fc.array(e, { maxLength: 2 }),
      having: fc.option(cond, { nil: undefined }),
      windows: fc.array(named, { maxLength: 1 }),
    })
    .map((r): A.Select => ({ kind: 'select', ...r, distinct: r.distinct || r.distinctOn.length > 0, span: S }));
}

const queryCache = new Map<number, Arb<A.Query>>();

/** Full queries (WITH, set operations, ORDER BY, LIMIT/OFFSET/FETCH) nested at most `depth` deep. */
export function query(depth: number): Arb<A.Query> {
  const cached = queryCache.get(depth);
  if (cached) return cached;
  const e = expr(1);
  const values = fc
    .array(fc.array(e, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 })
    .map((rows): A.QueryBody => ({ kind: 'values', rows, span: S }));
  const sel = select(depth);
  const paren = depth > 0 ? query(depth - 1).map((q): A.QueryBody => q) : sel;
  const primary = fc.oneof({ weight: 4, arbitrary: sel }, values, paren);
  const intersect = fc
    .tuple(primary, primary, fc.boolean())
    .map(([left, right, all]): A.QueryBody => ({ kind: 'set-op', op: 'intersect', all, left, right, span: S }));
  const term = fc.oneof({ weight: 3, arbitrary: primary }, intersect);
  const unionLike = fc
    .tuple(term, term, fc.constantFrom<'union' | 'except'>('union', 'except'), fc.boolean())
    .map(([left, right, op, all]): A.QueryBody => ({ kind: 'set-op', op, all, left, right, span: S }));
  const body = fc.oneof({ weight: 3, arbitrary: sel }, values, paren, intersect, unionLike);
  const cte = fc
    .tuple(ident, idents(0, 2), fc.option(fc.boolean(), { nil: undefined }), depth > 0 ? query(depth - 1) : smallQuery(0))
    .map(([name, columns, materialized, q]): A.Cte => ({ kind: 'cte', name, columns, materialized, query: q, span: S }));
  const withClause = fc
    .tuple(fc.boolean(), fc.array(cte, { minLength: 1, maxLength: 2 }))
    .map(([recursive, ctes]): A.WithClause => ({ kind: 'with', recursive, ctes, span: S }));
  const limits = fc.oneof(
    fc.constant({ limit: undefined, offset: undefined, fetch: false }),
    fc.tuple(e, fc.option(e, { nil: undefined })).map(([limit, offset]) => ({ limit, offset, fetch: false })),
    e.map((offset) => ({ limit: undefined, offset, fetch: false })),
    fc.tuple(e, fc.option(e, { nil: undefined })).map(([limit, offset]) => ({ limit, offset, fetch: true })),
  );
  const arb = fc
    .tuple(fc.option(withClause, { nil: undefined }), body, orderItems(e, 2), limits)
    .map(([w, b, orderBy, l]): A.Query => ({ kind: 'query', with: w, body: b, orderBy, ...l, span: S }));
  queryCache.set(depth, arb);
  return arb;
}

// ─── Statements ────────────────────────────────────────────────────────────

const e1 = () => expr(1);
const e2 = () => expr(2);

const returning: Arb<A.ReturningClause | undefined> = fc.option(
  fc
    .array(fc.tuple(e1(), fc.option(ident, { nil: undefined })).map(([x, alias]): A.SelectItem => ({ kind: 'select-item', expr: x, alias, span: S })), { minLength: 1, maxLength: 2 })
    .map((items): A.ReturningClause => ({ kind: 'returning', items, span: S })),
  { nil: undefined },
);

const assignment: Arb<A.Assignment> = fc
  .tuple(ident, fc.oneof(e1(), fc.constant({ kind: 'default' as const, span: S })))
  .map(([column, value]): A.Assignment => ({ kind: 'assignment', column, value, span: S }));

const withOpt = fc.option(
  fc.array(fc.tuple(ident, smallQuery(1)).map(([name, q]): A.Cte => ({ kind: 'cte', name, columns: [], materialized: undefined, query: q, span: S })), { minLength: 1, maxLength: 2 })
    .map((ctes): A.WithClause => ({ kind: 'with', recursive: false, ctes, span: S })),
  { nil: undefined },
);

const insert: Arb<A.Statement> = fc
  .record({
    with: withOpt,
    table: qname,
    alias: fc.option(ident, { nil: undefined }),
    columns: idents(0, 2),
    source: fc.oneof(
      fc.constant<A.InsertStatement['source']>({ kind: 'default-values' }),
      fc
        .array(fc.array(fc.oneof(e1(), fc.constant({ kind: 'default' as const, span: S })), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 })
        .map((rows): A.InsertStatement['source'] => ({ kind: 'values', rows })),
      // A bare VALUES query would come back as the `values` source, so query sources are SELECTs.
      query(0).filter((q) => q.body.kind === 'select').map((q): A.InsertStatement['source'] => ({ kind: 'query', query: q })),
    ),
    onConflict: fc.option(
      fc
        .tuple(
          fc.oneof(idents(0, 2).map((target) => ({ target, constraint: undefined })), ident.map((constraint) => ({ target: [] as A.Ident[], constraint }))),
          fc.oneof(
            fc.constant<A.OnConflict['action']>({ kind: 'nothing' }),
            fc
              .tuple(fc.array(assignment, { minLength: 1, maxLength: 2 }), fc.option(e1(), { nil: undefined }))
              .map(([assignments, where]): A.OnConflict['action'] => ({ kind: 'update', assignments, where })),
          ),
        )
        .map(([t, action]): A.OnConflict => ({ kind: 'on-conflict', ...t, action, span: S })),
      { nil: undefined },
    ),
    returning,
  })
  .map((r): A.Statement => ({ kind: 'insert', ...r, span: S }));

const update: Arb<A.Statement> = fc
  .record({
    with: withOpt,
    table: qname,
    alias: fc.option(ident, { nil: undefined }),
    assignments: fc.array(assignment, { minLength: 1, maxLength: 2 }),
    from: fc.array(fromItem(1), { maxLength: 2 }),
    where: fc.option(e2(), { nil: undefined }),
    returning,
  })
  .map((r): A.Statement => ({ kind: 'update', ...r, span: S }));

const del: Arb<A.Statement> = fc
  .record({
    with: withOpt,
    table: qname,
    alias: fc.option(ident, { nil: undefined }),
    using: fc.array(fromItem(1), { maxLength: 2 }),
    where: fc.option(e2(), { nil: undefined }),
    returning,
  })
  .map((r): A.Statement => ({ kind: 'delete', ...r, span: S }));

const referential = fc.option(fc.constantFrom<A.ReferentialAction>('cascade', 'restrict', 'no action', 'set null', 'set default'), { nil: undefined });

const columnConstraint: Arb<A.ColumnConstraint> = fc.oneof(
  fc.constantFrom<A.ColumnConstraint>({ kind: 'not-null', span: S }, { kind: 'null', span: S }, { kind: 'primary-key', span: S }, { kind: 'unique', span: S }),
  e1().map((x): A.ColumnConstraint => ({ kind: 'default', expr: x, span: S })),
  e1().map((x): A.ColumnConstraint => ({ kind: 'check', expr: x, span: S })),
  fc
    .tuple(qname, idents(0, 1), referential, referential)
    .map(([table, columns, onDelete, onUpdate]): A.ColumnConstraint => ({ kind: 'references', table, columns, onDelete, onUpdate, span: S })),
);

const columnDef: Arb<A.ColumnDef> = fc
  .tuple(ident, anyType, fc.array(columnConstraint, { maxLength: 2 }))
  .map(([name, type, constraints]): A.ColumnDef => ({ kind: 'column-def', name, type, constraints, span: S }));

const tableConstraint: Arb<A.TableConstraint> = fc
  .tuple(
    fc.option(ident, { nil: undefined }),
    fc.oneof(
      idents(1, 2).map((columns) => ({ kind: 'primary-key' as const, columns })),
      idents(1, 2).map((columns) => ({ kind: 'unique' as const, columns })),
      e1().map((x) => ({ kind: 'check' as const, expr: x })),
      fc.tuple(idents(1, 2), qname, idents(0, 2), referential, referential).map(([columns, table, refColumns, onDelete, onUpdate]) => ({
        kind: 'foreign-key' as const, columns, table, refColumns, onDelete, onUpdate,
      })),
    ),
  )
  .map(([name, c]): A.TableConstraint => ({ ...c, name, span: S }));

const createTable: Arb<A.Statement> = fc.oneof(
  fc
    .tuple(qname, fc.boolean(), fc.array(columnDef, { maxLength: 3 }), fc.array(tableConstraint, { maxLength: 2 }))
    .map(([name, ifNotExists, columns, constraints]): A.Statement => ({ kind: 'create-table', name, ifNotExists, columns, constraints, asQuery: undefined, span: S })),
  fc
    .tuple(qname, fc.boolean(), query(0))
    .map(([name, ifNotExists, q]): A.Statement => ({ kind: 'create-table', name, ifNotExists, columns: [], constraints: [], asQuery: q, span: S })),
);

const alterAction: Arb<A.AlterAction> = fc.oneof(
  fc.tuple(columnDef, fc.boolean()).map(([column, ifNotExists]): A.AlterAction => ({ kind: 'add-column', column, ifNotExists, span: S })),
  fc.tuple(ident, fc.boolean(), fc.boolean()).map(([name, ifExists, cascade]): A.AlterAction => ({ kind: 'drop-column', name, ifExists, cascade, span: S })),
  fc.tuple(ident, ident).map(([from, to]): A.AlterAction => ({ kind: 'rename-column', from, to, span: S })),
  ident.map((to): A.AlterAction => ({ kind: 'rename-table', to, span: S })),
);

const setValue: Arb<A.LiteralExpr | A.Ident> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map((n): A.LiteralExpr => ({ kind: 'literal', value: { kind: 'integer', text: String(n) }, span: S })),
  fc.constantFrom('1.5', '-0.25').map((text): A.LiteralExpr => ({ kind: 'literal', value: { kind: 'decimal', text }, span: S })),
  fc.string({ maxLength: 6 }).map((value): A.LiteralExpr => ({ kind: 'literal', value: { kind: 'string', value, form: 'plain' }, span: S })),
  ident,
  fc.constant<A.Ident>({ kind: 'ident', name: 'on', quoted: false, span: S }),
);

const utility: Arb<A.Statement> = fc.oneof(
  fc.tuple(fc.constantFrom<'table' | 'index' | 'view'>('table', 'index', 'view'), fc.array(qname, { minLength: 1, maxLength: 2 }), fc.boolean(), fc.boolean())
    .map(([objectKind, names, ifExists, cascade]): A.Statement => ({ kind: 'drop', objectKind, names, ifExists, cascade, span: S })),
  fc.record({
    name: fc.option(ident, { nil: undefined }),
    unique: fc.boolean(),
    ifNotExists: fc.boolean(),
    table: qname,
    columns: orderItems(e1(), 2).filter((c) => c.length > 0),
    using: fc.option(ident, { nil: undefined }),
  }).map((r): A.Statement => ({ kind: 'create-index', ...r, span: S })),
  fc.tuple(qname, fc.boolean(), idents(0, 2), query(0))
    .map(([name, orReplace, columns, q]): A.Statement => ({ kind: 'create-view', name, orReplace, columns, query: q, queryText: '', span: S })),
  fc.tuple(qname, fc.boolean(), fc.array(alterAction, { minLength: 1, maxLength: 2 }))
    .map(([name, ifExists, actions]): A.Statement => ({ kind: 'alter-table', name, ifExists, actions, span: S })),
  fc.oneof(
    fc.subarray(['isolation level serializable', 'isolation level read committed', 'read only', 'read write', 'deferrable', 'not deferrable'])
      .map((modes): A.Statement => ({ kind: 'transaction', action: 'begin', savepoint: undefined, modes, span: S })),
    fc.constantFrom<'commit' | 'rollback'>('commit', 'rollback').map((action): A.Statement => ({ kind: 'transaction', action, savepoint: undefined, modes: [], span: S })),
    fc.tuple(fc.constantFrom<'savepoint' | 'release' | 'rollback-to'>('savepoint', 'release', 'rollback-to'), ident)
      .map(([action, savepoint]): A.Statement => ({ kind: 'transaction', action, savepoint, modes: [], span: S })),
  ),
  fc.tuple(fc.constantFrom<'session' | 'local'>('session', 'local'), fc.constantFrom('search_path', 'work_mem', 'my.setting', 'timezone'), fc.array(setValue, { maxLength: 2 }))
    .map(([scope, name, value]): A.Statement => ({ kind: 'set', scope, name, value, reset: false, span: S })),
  fc.constantFrom('all', 'work_mem', 'timezone').map((name): A.Statement => ({ kind: 'set', scope: 'session', name, value: [], reset: true, span: S })),
  fc.constantFrom('all', 'work_mem', 'timezone', 'transaction_isolation').map((name): A.Statement => ({ kind: 'show', name, span: S })),
  fc.array(qname, { maxLength: 2 }).map((tables): A.Statement => ({ kind: 'analyze', tables, span: S })),
);

const queryStatement: Arb<A.Statement> = query(1).map((q): A.Statement => ({ kind: 'query-statement', query: q, span: S }));

const explainable = fc.oneof({ weight: 3, arbitrary: queryStatement }, insert, update, del);

/** Any statement the parser can produce. */
export const statement: Arb<A.Statement> = fc.oneof(
  { weight: 6, arbitrary: queryStatement },
  { weight: 2, arbitrary: insert },
  { weight: 2, arbitrary: update },
  { weight: 2, arbitrary: del },
  { weight: 2, arbitrary: createTable },
  { weight: 3, arbitrary: utility },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.boolean(), fc.boolean(), fc.constantFrom<'text' | 'json'>('text', 'json'), explainable)
      .map(([analyze, verbose, format, s]): A.Statement => ({ kind: 'explain', analyze, verbose, format, statement: s, span: S })),
  },
);
