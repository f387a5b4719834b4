// The SQL abstract syntax tree: what to-ast.ts builds from an Ohm match and fmt prints back.
//
// Plain readonly objects discriminated by `kind`. Every node carries the `span` of source it came
// from (offsets into the statement text) so the binder can point at exact ranges. Identifiers are
// stored already case-folded (unquoted → lower case), with `quoted` kept for faithful printing.

import type { Span } from '../../diagnostics/index.ts';

export interface Node {
  readonly span: Span;
}

export interface Ident extends Node {
  readonly kind: 'ident';
  /** Folded name: lower case unless it was double-quoted. */
  readonly name: string;
  readonly quoted: boolean;
}

/** A possibly qualified name: `t`, `s.t`, `s.t.c`. */
export interface QName extends Node {
  readonly kind: 'qname';
  readonly parts: readonly Ident[];
}

// ─── Types ──────────────────────────────────────────────────────────────────

export interface TypeName extends Node {
  readonly kind: 'type-name';
  /** Canonical lower-case base name: `int`, `bigint`, `double precision`, `varchar`, `timestamp`, `timestamptz`, `numeric`… as written after alias folding is the binder's job; here the words as written, lower-cased, single-spaced. */
  readonly name: string;
  /** Type modifiers: `numeric(10,2)` → [10, 2], `varchar(20)` → [20]. */
  readonly modifiers: readonly number[];
  /** Number of `[]` suffixes (or 1 for `ARRAY`). */
  readonly arrayDims: number;
}

// ─── Expressions ────────────────────────────────────────────────────────────

export type Expr =
  | ColumnRefExpr
  | StarExpr
  | LiteralExpr
  | ParamExpr
  | UnaryExpr
  | BinaryExpr
  | FuncCallExpr
  | CaseExpr
  | CastExpr
  | SubqueryExpr
  | ExistsExpr
  | InListExpr
  | InSubqueryExpr
  | QuantifiedExpr
  | BetweenExpr
  | LikeExpr
  | IsExpr
  | ArrayExpr
  | SubscriptExpr
  | RowExpr
  | TypedLiteralExpr
  | IntervalLiteralExpr
  | ExtractExpr;

/** `c`, `t.c`, `s.t.c`. */
export interface ColumnRefExpr extends Node {
  readonly kind: 'column-ref';
  readonly name: QName;
}

/** `*` or `t.*` (only valid in select lists and `count(*)`). */
export interface StarExpr extends Node {
  readonly kind: 'star';
  readonly table?: QName;
}

export type LiteralValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** Numbers are kept as written (`42`, `1.5`, `1e10`, `0x1F` not supported) so no precision is lost. */
  | { readonly kind: 'integer'; readonly text: string }
  | { readonly kind: 'decimal'; readonly text: string }
  | { readonly kind: 'float'; readonly text: string }
  /** Any string form (`'..'`, `E'..'`, `$$..$$`, `$tag$..$tag$`) after unescaping; `form` keeps how it was written. */
  | { readonly kind: 'string'; readonly value: string; readonly form: 'plain' | 'escape' | 'dollar' }
  /** `B'0101'`, `X'1F'` are not supported; bytea comes from `'\x..'` strings cast to bytea. */;

export interface LiteralExpr extends Node {
  readonly kind: 'literal';
  readonly value: LiteralValue;
}

/** `$1` (1-based). */
export interface ParamExpr extends Node {
  readonly kind: 'param';
  readonly index: number;
}

export type UnaryOp = '-' | '+' | 'not' | '~';

export interface UnaryExpr extends Node {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly operand: Expr;
}

/**
 * Binary operators, spelled as in SQL (lower-case words). JSON operators `->`, `->>`, `#>`,
 * `#>>`, `@>`, `<@`, `?` and string concatenation `||` are included.
 */
export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '^'
  | '=' | '<>' | '!=' | '<' | '<=' | '>' | '>='
  | 'and' | 'or' | '||'
  | '->' | '->>' | '#>' | '#>>' | '@>' | '<@' | '?'
  | '&' | '|' | '#' | '<<' | '>>'
  | '~' | '!~' | '~*' | '!~*';

export interface BinaryExpr extends Node {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

export interface OrderItem extends Node {
  readonly kind: 'order-item';
  readonly expr: Expr;
  readonly direction?: 'asc' | 'desc';
  readonly nulls?: 'first' | 'last';
}

export type FrameBound =
  | { readonly kind: 'unbounded-preceding' }
  | { readonly kind: 'preceding'; readonly offset: Expr }
  | { readonly kind: 'current-row' }
  | { readonly kind: 'following'; readonly offset: Expr }
  | { readonly kind: 'unbounded-following' };

export interface WindowFrame extends Node {
  readonly kind: 'window-frame';
  readonly units: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  /** Absent for the short form `ROWS <start>` (end = CURRENT ROW). */
  readonly end?: FrameBound;
}

export interface WindowSpec extends Node {
  readonly kind: 'window-spec';
  /** `OVER w` or `OVER (w ...)` referring to a named window of the WINDOW clause. */
  readonly base?: Ident;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
}

/** A call `f(args)`: plain functions, aggregates (with DISTINCT, ORDER BY inside, FILTER) and window calls (OVER). */
export interface FuncCallExpr extends Node {
  readonly kind: 'func-call';
  readonly name: QName;
  readonly args: readonly Expr[];
  /** `count(*)` has `star: true` and no args. */
  readonly star: boolean;
  readonly distinct: boolean;
  /** `string_agg(x, ',' ORDER BY y)`. */
  readonly orderBy: readonly OrderItem[];
  readonly filter?: Expr;
  readonly over?: WindowSpec;
}

export interface CaseExpr extends Node {
  readonly kind: 'case';
  /** `CASE x WHEN …` (simple form) has an operand. */
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}

/** `CAST(x AS t)` (syntax 'cast') or `x::t` (syntax 'colons'). */
export interface CastExpr extends Node {
  readonly kind: 'cast';
  readonly expr: Expr;
  readonly type: TypeName;
  readonly syntax: 'cast' | 'colons';
}

/** Scalar subquery `(SELECT …)`; also `ARRAY(SELECT …)` with `array: true`. */
export interface SubqueryExpr extends Node {
  readonly kind: 'subquery';
  readonly query: Query;
  readonly array: boolean;
}

export interface ExistsExpr extends Node {
  readonly kind: 'exists';
  readonly query: Query;
}

export interface InListExpr extends Node {
  readonly kind: 'in-list';
  readonly expr: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
}

export interface InSubqueryExpr extends Node {
  readonly kind: 'in-subquery';
  readonly expr: Expr;
  readonly query: Query;
  readonly negated: boolean;
}

/** `x op ANY (subquery | array)`, `x op ALL (…)`, `SOME` folded into `any`. */
export interface QuantifiedExpr extends Node {
  readonly kind: 'quantified';
  readonly op: BinaryOp;
  readonly quantifier: 'any' | 'all';
  readonly expr: Expr;
  readonly source: { readonly kind: 'query'; readonly query: Query } | { readonly kind: 'expr'; readonly expr: Expr };
}

export interface BetweenExpr extends Node {
  readonly kind: 'between';
  readonly expr: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
  readonly symmetric: boolean;
}

export interface LikeExpr extends Node {
  readonly kind: 'like';
  readonly expr: Expr;
  readonly pattern: Expr;
  readonly escape?: Expr;
  readonly caseInsensitive: boolean;
  readonly negated: boolean;
}

/** `x IS [NOT] NULL | TRUE | FALSE | UNKNOWN`, `x IS [NOT] DISTINCT FROM y`. */
export interface IsExpr extends Node {
  readonly kind: 'is';
  readonly expr: Expr;
  readonly negated: boolean;
  readonly test:
    | { readonly kind: 'null' }
    | { readonly kind: 'true' }
    | { readonly kind: 'false' }
    | { readonly kind: 'unknown' }
    | { readonly kind: 'distinct-from'; readonly other: Expr };
}

/** `ARRAY[1, 2, 3]`. */
export interface ArrayExpr extends Node {
  readonly kind: 'array';
  readonly elements: readonly Expr[];
}

/** `a[1]` or slice `a[1:2]`. */
export interface SubscriptExpr extends Node {
  readonly kind: 'subscript';
  readonly expr: Expr;
  readonly index: Expr;
  readonly upper?: Expr;
  readonly slice: boolean;
}

/** `ROW(a, b)` or `(a, b)`. */
export interface RowExpr extends Node {
  readonly kind: 'row';
  readonly fields: readonly Expr[];
  readonly explicit: boolean;
}

/** `DATE '2020-01-01'`, `TIMESTAMP '…'`, `UUID '…'` and so on: a type name followed by a string. */
export interface TypedLiteralExpr extends Node {
  readonly kind: 'typed-literal';
  readonly type: TypeName;
  readonly value: string;
}

/** `INTERVAL '3 days'`, `INTERVAL '3' DAY` (unit kept lower-case). */
export interface IntervalLiteralExpr extends Node {
  readonly kind: 'interval-literal';
  readonly value: string;
  readonly unit?: string;
}

/** `EXTRACT(field FROM x)`; field lower-cased (`year`, `month`, `epoch`, …). */
export interface ExtractExpr extends Node {
  readonly kind: 'extract';
  readonly field: string;
  readonly expr: Expr;
}

// ─── Queries ────────────────────────────────────────────────────────────────

export interface Cte extends Node {
  readonly kind: 'cte';
  readonly name: Ident;
  readonly columns: readonly Ident[];
  readonly materialized?: boolean;
  readonly query: Query;
}

export interface WithClause extends Node {
  readonly kind: 'with';
  readonly recursive: boolean;
  readonly ctes: readonly Cte[];
}

/** A full query: optional WITH, a body (select, set operation, VALUES, parenthesized query), ORDER BY, LIMIT/OFFSET/FETCH. */
export interface Query extends Node {
  readonly kind: 'query';
  readonly with?: WithClause;
  readonly body: QueryBody;
  readonly orderBy: readonly OrderItem[];
  readonly limit?: Expr;
  /** `LIMIT ALL` is represented by no limit. FETCH FIRST n ROWS ONLY also sets `limit` (with `fetch: true` for printing). */
  readonly offset?: Expr;
  readonly fetch: boolean;
}

export type QueryBody = Select | SetOperation | ValuesBody | Query;

export interface SelectItem extends Node {
  readonly kind: 'select-item';
  readonly expr: Expr;
  readonly alias?: Ident;
}

export interface NamedWindow extends Node {
  readonly kind: 'named-window';
  readonly name: Ident;
  readonly spec: WindowSpec;
}

export interface Select extends Node {
  readonly kind: 'select';
  readonly distinct: boolean;
  /** `DISTINCT ON (…)`. */
  readonly distinctOn: readonly Expr[];
  readonly items: readonly SelectItem[];
  readonly from: readonly FromItem[];
  readonly where?: Expr;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
  readonly windows: readonly NamedWindow[];
}

export interface SetOperation extends Node {
  readonly kind: 'set-op';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
}

export interface ValuesBody extends Node {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
}

export interface TableAlias extends Node {
  readonly kind: 'table-alias';
  readonly name: Ident;
  readonly columns: readonly Ident[];
}

export type FromItem = TableRef | DerivedTable | JoinExpr | FunctionTable;

export interface TableRef extends Node {
  readonly kind: 'table-ref';
  readonly name: QName;
  readonly alias?: TableAlias;
}

export interface DerivedTable extends Node {
  readonly kind: 'derived-table';
  readonly lateral: boolean;
  readonly query: Query;
  readonly alias?: TableAlias;
}

/** A set-returning function in FROM: `generate_series(1, 10) WITH ORDINALITY AS g(n, i)`. */
export interface FunctionTable extends Node {
  readonly kind: 'function-table';
  readonly call: FuncCallExpr;
  /** `WITH ORDINALITY`: a bigint column numbering the rows from 1. */
  readonly ordinality: boolean;
  readonly alias?: TableAlias;
}

export interface JoinExpr extends Node {
  readonly kind: 'join';
  readonly joinType: 'inner' | 'left' | 'right' | 'full' | 'cross';
  readonly natural: boolean;
  readonly left: FromItem;
  readonly right: FromItem;
  readonly on?: Expr;
  readonly using: readonly Ident[];
}

// ─── Statements ─────────────────────────────────────────────────────────────

export type Statement =
  | QueryStatement
  | InsertStatement
  | UpdateStatement
  | DeleteStatement
  | CreateTableStatement
  | DropStatement
  | CreateIndexStatement
  | CreateViewStatement
  | AlterTableStatement
  | TransactionStatement
  | ExplainStatement
  | SetStatement
  | ShowStatement
  | AnalyzeStatement
  | CopyStatement;

export interface QueryStatement extends Node {
  readonly kind: 'query-statement';
  readonly query: Query;
}

export interface ReturningClause extends Node {
  readonly kind: 'returning';
  readonly items: readonly SelectItem[];
}

export interface Assignment extends Node {
  readonly kind: 'assignment';
  readonly column: Ident;
  readonly value: Expr | { readonly kind: 'default'; readonly span: Span };
}

export interface OnConflict extends Node {
  readonly kind: 'on-conflict';
  readonly target: readonly Ident[];
  readonly constraint?: Ident;
  readonly action:
    | { readonly kind: 'nothing' }
    | { readonly kind: 'update'; readonly assignments: readonly Assignment[]; readonly where?: Expr };
}

export interface InsertStatement extends Node {
  readonly kind: 'insert';
  readonly with?: WithClause;
  readonly table: QName;
  readonly alias?: Ident;
  readonly columns: readonly Ident[];
  /** `DEFAULT VALUES` is `{ kind: 'default-values' }`; VALUES rows may contain `DEFAULT` (kind 'default'). */
  readonly source:
    | { readonly kind: 'default-values' }
    | { readonly kind: 'values'; readonly rows: readonly (readonly (Expr | { readonly kind: 'default'; readonly span: Span })[])[] }
    | { readonly kind: 'query'; readonly query: Query };
  readonly onConflict?: OnConflict;
  readonly returning?: ReturningClause;
}

export interface UpdateStatement extends Node {
  readonly kind: 'update';
  readonly with?: WithClause;
  readonly table: QName;
  readonly alias?: Ident;
  readonly assignments: readonly Assignment[];
  readonly from: readonly FromItem[];
  readonly where?: Expr;
  readonly returning?: ReturningClause;
}

export interface DeleteStatement extends Node {
  readonly kind: 'delete';
  readonly with?: WithClause;
  readonly table: QName;
  readonly alias?: Ident;
  readonly using: readonly FromItem[];
  readonly where?: Expr;
  readonly returning?: ReturningClause;
}

export type ColumnConstraint =
  | { readonly kind: 'not-null'; readonly span: Span }
  | { readonly kind: 'null'; readonly span: Span }
  | { readonly kind: 'primary-key'; readonly span: Span }
  | { readonly kind: 'unique'; readonly span: Span }
  | { readonly kind: 'default'; readonly expr: Expr; readonly span: Span }
  | { readonly kind: 'check'; readonly expr: Expr; readonly span: Span }
  | {
      readonly kind: 'references';
      readonly table: QName;
      readonly columns: readonly Ident[];
      readonly onDelete?: ReferentialAction;
      readonly onUpdate?: ReferentialAction;
      readonly span: Span;
    };

/** `ON DELETE …` / `ON UPDATE …` of a foreign key. */
export type ReferentialAction = 'cascade' | 'restrict' | 'no action' | 'set null' | 'set default';

export interface ColumnDef extends Node {
  readonly kind: 'column-def';
  readonly name: Ident;
  readonly type: TypeName;
  readonly constraints: readonly ColumnConstraint[];
}

export type TableConstraint =
  | { readonly kind: 'primary-key'; readonly name?: Ident; readonly columns: readonly Ident[]; readonly span: Span }
  | { readonly kind: 'unique'; readonly name?: Ident; readonly columns: readonly Ident[]; readonly span: Span }
  | { readonly kind: 'check'; readonly name?: Ident; readonly expr: Expr; readonly span: Span }
  | {
      readonly kind: 'foreign-key';
      readonly name?: Ident;
      readonly columns: readonly Ident[];
      readonly table: QName;
      readonly refColumns: readonly Ident[];
      readonly onDelete?: ReferentialAction;
      readonly onUpdate?: ReferentialAction;
      readonly span: Span;
    };

export interface CreateTableStatement extends Node {
  readonly kind: 'create-table';
  readonly name: QName;
  readonly ifNotExists: boolean;
  readonly columns: readonly ColumnDef[];
  readonly constraints: readonly TableConstraint[];
  /** `CREATE TABLE t AS SELECT …`. */
  readonly asQuery?: Query;
}

export interface DropStatement extends Node {
  readonly kind: 'drop';
  readonly objectKind: 'table' | 'index' | 'view';
  readonly names: readonly QName[];
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

export interface CreateIndexStatement extends Node {
  readonly kind: 'create-index';
  readonly name?: Ident;
  readonly unique: boolean;
  readonly ifNotExists: boolean;
  readonly table: QName;
  readonly columns: readonly OrderItem[];
  readonly using?: Ident;
}

export interface CreateViewStatement extends Node {
  readonly kind: 'create-view';
  readonly name: QName;
  readonly orReplace: boolean;
  readonly columns: readonly Ident[];
  readonly query: Query;
  /** The query's source text, kept so the catalog can store the view definition. */
  readonly queryText: string;
}

export type AlterAction =
  | { readonly kind: 'add-column'; readonly column: ColumnDef; readonly ifNotExists: boolean; readonly span: Span }
  | { readonly kind: 'drop-column'; readonly name: Ident; readonly ifExists: boolean; readonly cascade: boolean; readonly span: Span }
  | { readonly kind: 'rename-column'; readonly from: Ident; readonly to: Ident; readonly span: Span }
  | { readonly kind: 'rename-table'; readonly to: Ident; readonly span: Span };

export interface AlterTableStatement extends Node {
  readonly kind: 'alter-table';
  readonly name: QName;
  readonly ifExists: boolean;
  readonly actions: readonly AlterAction[];
}

export interface TransactionStatement extends Node {
  readonly kind: 'transaction';
  readonly action: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to';
  readonly savepoint?: Ident;
  /** `BEGIN ISOLATION LEVEL …`, `READ ONLY` etc., lower-cased words. */
  readonly modes: readonly string[];
}

export interface ExplainStatement extends Node {
  readonly kind: 'explain';
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly format: 'text' | 'json';
  readonly statement: Statement;
}

export interface SetStatement extends Node {
  readonly kind: 'set';
  readonly scope: 'session' | 'local';
  readonly name: string;
  /** Values as written: identifiers and literals; `DEFAULT` is an empty list. */
  readonly value: readonly (LiteralExpr | Ident)[];
  /** `RESET name` / `RESET ALL` is a set with `reset: true`. */
  readonly reset: boolean;
}

export interface ShowStatement extends Node {
  readonly kind: 'show';
  /** Lower-cased setting name or `all`. */
  readonly name: string;
}

export interface AnalyzeStatement extends Node {
  readonly kind: 'analyze';
  readonly tables: readonly QName[];
}

/** `COPY table [(columns)] FROM STDIN`, `COPY table [(columns)] TO STDOUT` or `COPY (query) TO STDOUT`. */
export interface CopyStatement extends Node {
  readonly kind: 'copy';
  readonly direction: 'from' | 'to';
  readonly table?: QName;
  readonly columns: readonly Ident[];
  readonly query?: Query;
  readonly options: readonly CopyOption[];
}

/** One COPY option as written: `FORMAT csv`, `HEADER`, `DELIMITER ','`, `NULL AS ''` (name lower-cased). */
export interface CopyOption extends Node {
  readonly name: string;
  readonly value?: string;
}

/** A script: statements with their source ranges, as split before parsing. */
export interface Script {
  readonly statements: readonly Statement[];
}
