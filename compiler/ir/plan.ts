// Logical plan nodes of the IR and the bound statements that wrap them.
//
// Every node carries its output `schema`, computed once by its smart constructor in build.ts.
// Nodes are plain immutable data, so they can be printed, hashed and serialized.

import type { AggregateCall, Column, ColumnId, Expr, Literal, Schema, SortKey, WindowCall } from './expr.ts';
import type { DataType } from './types.ts';
import type { CheckInfo, ForeignKeyInfo, IndexInfo, ReferentialAction, TableInfo } from '../catalog/index.ts';

/** A table column as scanned: the output column plus its stored ordinal (-1 = hidden row id). */
export interface ScanColumn extends Column {
  readonly ordinal: number;
}

/**
 * How a Scan reaches its rows. The optimizer's index selection fills `index` when a predicate
 * on an index prefix makes it cheaper: equality on the first `eq.length` key columns, then an
 * optional range on the next one.
 */
export type ScanAccess =
  | { readonly kind: 'full' }
  | {
      readonly kind: 'index';
      readonly index: IndexInfo;
      readonly eq: readonly Expr[];
      readonly range?: { readonly low?: { readonly expr: Expr; readonly inclusive: boolean }; readonly high?: { readonly expr: Expr; readonly inclusive: boolean } };
    };

export interface Scan {
  readonly kind: 'scan';
  readonly table: TableInfo;
  /** Alias used in the query (or the table name). */
  readonly alias: string;
  readonly columns: readonly ScanColumn[];
  readonly access: ScanAccess;
  readonly schema: Schema;
}

export interface Values {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
  readonly schema: Schema;
}

/**
 * A set-returning function in FROM (`generate_series`, `unnest`, …). `schema` is its value column,
 * then, with `ordinality` (`WITH ORDINALITY`), an int8 column numbering the rows from 1.
 */
export interface TableFunction {
  readonly kind: 'table-function';
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly ordinality: boolean;
  readonly schema: Schema;
}

/**
 * Graph hops over an edge table (a table with `in` and `out` record-id columns, indexed both ways): the
 * records reached from the record id `start` in `minDepth`..`maxDepth` hops, each once at its shortest
 * distance. `direction` 'out' follows edges from `in` to `out`, 'in' the reverse, 'both' either way.
 * Output: the reached record id and its depth. `start` may read outer columns (a correlated path), and
 * may be an array of record ids: each is walked from, and a record reached from several is reported
 * once, at the least of its distances.
 */
export interface Expand {
  readonly kind: 'expand';
  readonly edge: TableInfo;
  readonly direction: 'out' | 'in' | 'both';
  readonly start: Expr;
  readonly minDepth: number;
  readonly maxDepth: number;
  /**
   * A condition on each record reached, over this node's own columns (OrbitQL's TRAVERSE … WHERE): a
   * record failing it is neither output nor walked on from.
   */
  readonly where?: Expr;
  readonly schema: Schema;
}

export interface Filter {
  readonly kind: 'filter';
  readonly input: LogicalPlan;
  readonly predicate: Expr;
  readonly schema: Schema;
}

export interface ProjectItem {
  /** The output column (id minted by the binder; equals the input id for a pass-through). */
  readonly column: Column;
  readonly expr: Expr;
}

export interface Project {
  readonly kind: 'project';
  readonly input: LogicalPlan;
  readonly items: readonly ProjectItem[];
  readonly schema: Schema;
}

/**
 * Join kinds: semi/anti come from IN/EXISTS decorrelation and output only the left schema;
 * `single` is a left join that errors if a left row matches more than one right row (scalar subquery).
 */
export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'semi' | 'anti' | 'single';

export interface Join {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly condition?: Expr;
  readonly schema: Schema;
}

export interface AggregateItem {
  readonly column: Column;
  readonly call: AggregateCall;
}

export interface GroupItem {
  readonly column: Column;
  readonly expr: Expr;
}

/** Output schema: group columns then aggregate columns. No groups = one row (global aggregate). */
export interface Aggregate {
  readonly kind: 'aggregate';
  readonly input: LogicalPlan;
  readonly groups: readonly GroupItem[];
  readonly aggregates: readonly AggregateItem[];
  readonly schema: Schema;
}

export interface WindowItem {
  readonly column: Column;
  readonly call: WindowCall;
}

/** Output schema: the input's columns followed by one column per window call. */
export interface Window {
  readonly kind: 'window';
  readonly input: LogicalPlan;
  readonly windows: readonly WindowItem[];
  readonly schema: Schema;
}

export interface Sort {
  readonly kind: 'sort';
  readonly input: LogicalPlan;
  readonly keys: readonly SortKey[];
  readonly schema: Schema;
}

export interface Limit {
  readonly kind: 'limit';
  readonly input: LogicalPlan;
  /** Row count and offset: literal or parameter expressions of type int64. */
  readonly limit?: Expr;
  readonly offset?: Expr;
  readonly schema: Schema;
}

/** DISTINCT over all columns, or DISTINCT ON `on` (keeping the first row per key in input order). */
export interface Distinct {
  readonly kind: 'distinct';
  readonly input: LogicalPlan;
  readonly on?: readonly Expr[];
  readonly schema: Schema;
}

/** Output columns are fresh ids; types are the binder's unified column types. */
export interface SetOp {
  readonly kind: 'set-op';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly schema: Schema;
}

/**
 * WITH RECURSIVE: evaluates `anchor`, then `recursive` repeatedly over the rows the last round
 * produced (read through WorkTable nodes with the same `cteId`) until no new rows appear.
 */
export interface RecursiveCte {
  readonly kind: 'recursive-cte';
  readonly cteId: number;
  readonly name: string;
  /** UNION (dedupe) or UNION ALL. */
  readonly all: boolean;
  readonly anchor: LogicalPlan;
  readonly recursive: LogicalPlan;
  readonly schema: Schema;
}

export interface WorkTable {
  readonly kind: 'work-table';
  readonly cteId: number;
  readonly name: string;
  readonly schema: Schema;
}

/**
 * How GROUP BY … FILL gives a value to an aggregate column in a bucket no input row fell into: NULL,
 * the partition's previous value, a linear interpolation between its neighbours, or a constant.
 */
export type FillMode =
  | { readonly kind: 'null' }
  | { readonly kind: 'previous' }
  | { readonly kind: 'linear' }
  | { readonly kind: 'value'; readonly value: Literal };

/**
 * Gap filling over a time-bucketed aggregate: for every combination of the `partition` columns, one row
 * per bucket of width `step` µs from the first to the last bucket of the input (over all partitions).
 * Rows the input lacks get their `fills` columns filled; output is ordered by partition, then time.
 */
export interface GapFill {
  readonly kind: 'gap-fill';
  readonly input: LogicalPlan;
  /** The bucket column (a timestamp group of the aggregate below). */
  readonly time: Column;
  readonly step: number;
  readonly partition: readonly Column[];
  readonly fills: readonly { readonly column: Column; readonly mode: FillMode }[];
  readonly schema: Schema;
}

/**
 * `LIVE [DIFF] SELECT`: a standing query over one table whose changes are pushed to the client. `input`
 * is the query (its filter and projection over `table`); `diff` asks for changes as patches rather than
 * whole rows. Executing it in a request/response statement is not supported.
 */
export interface LiveQuery {
  readonly kind: 'live';
  readonly input: LogicalPlan;
  readonly table: string;
  readonly diff: boolean;
  readonly schema: Schema;
}

export interface Returning {
  readonly items: readonly ProjectItem[];
}

/** A CHECK constraint as writes enforce it: `expr` is bound over the written row's `rowColumns`. */
export interface CheckConstraint {
  readonly name: string;
  readonly expr: Expr;
}

/**
 * A foreign key as writes enforce it (MATCH SIMPLE: a key holding any NULL is not checked):
 * `child` rows' `childOrdinals` must equal `parentOrdinals` of a `parent` row.
 */
export interface ForeignKeyConstraint {
  readonly name: string;
  readonly child: TableInfo;
  readonly childOrdinals: readonly number[];
  /** An index of `child` whose leading columns are the key, to find referencing rows without a scan. */
  readonly childIndex?: string;
  readonly parent: TableInfo;
  readonly parentOrdinals: readonly number[];
  /** The parent's primary key or unique index on exactly the referenced columns. */
  readonly parentIndex: IndexInfo;
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

/** Constraints a write enforces; a write node carries them only when there is something to enforce. */
export interface WriteConstraints {
  /** Checked on every row written, in name order (PostgreSQL reports the first failing by name). */
  readonly checks: readonly CheckConstraint[];
  /** Foreign keys of the written table whose columns the write sets: checked at the end of the statement. */
  readonly references: readonly ForeignKeyConstraint[];
  /**
   * Foreign keys referencing rows that leave or change key, by referenced table id: the written
   * table's own, plus those of the tables its cascading actions write in turn.
   */
  readonly referencedBy: Readonly<Record<number, readonly ForeignKeyConstraint[]>>;
}

export interface Insert {
  readonly kind: 'insert';
  readonly table: TableInfo;
  /** For each column of `source`'s schema, the target table ordinal it fills. Missing ordinals take defaults. */
  readonly targetOrdinals: readonly number[];
  /** Default value expressions for ordinals not in targetOrdinals (absent = NULL). */
  readonly defaults: readonly { readonly ordinal: number; readonly expr: Expr }[];
  readonly source: LogicalPlan;
  readonly onConflict?: {
    /** Ordinals of the unique key checked (primary key when the statement names none). */
    readonly keyOrdinals: readonly number[];
    readonly action:
      | { readonly kind: 'nothing' }
      | {
          readonly kind: 'update';
          /** Columns of the existing row and of EXCLUDED, readable by assignments and where. */
          readonly existing: readonly ScanColumn[];
          readonly excluded: readonly ScanColumn[];
          readonly assignments: readonly { readonly ordinal: number; readonly expr: Expr }[];
          readonly where?: Expr;
        };
  };
  /** RETURNING items read `rowColumns` (one per table ordinal, holding the written row). */
  readonly rowColumns: readonly ScanColumn[];
  readonly returning?: Returning;
  readonly constraints?: WriteConstraints;
  readonly schema: Schema;
}

export interface Update {
  readonly kind: 'update';
  readonly table: TableInfo;
  /** Produces the rows to change: must output every id in `rowColumns` and `rowId`. */
  readonly input: LogicalPlan;
  /** The target table's current columns in `input`, one per ordinal. */
  readonly rowColumns: readonly ScanColumn[];
  /** The hidden row id / key column of the target, in `input`. */
  readonly rowId: ColumnId;
  readonly assignments: readonly { readonly ordinal: number; readonly expr: Expr }[];
  /** RETURNING reads `rowColumns` ids, bound to the new row values. */
  readonly returning?: Returning;
  readonly constraints?: WriteConstraints;
  readonly schema: Schema;
}

export interface Delete {
  readonly kind: 'delete';
  readonly table: TableInfo;
  readonly input: LogicalPlan;
  readonly rowColumns: readonly ScanColumn[];
  readonly rowId: ColumnId;
  readonly returning?: Returning;
  readonly constraints?: WriteConstraints;
  readonly schema: Schema;
}

export type LogicalPlan =
  | Scan
  | Values
  | TableFunction
  | Expand
  | Filter
  | Project
  | Join
  | Aggregate
  | Window
  | Sort
  | Limit
  | Distinct
  | SetOp
  | RecursiveCte
  | WorkTable
  | Insert
  | Update
  | Delete
  | GapFill
  | LiveQuery;

export type PlanKind = LogicalPlan['kind'];

/** The inputs of a plan node, in order. */
export function children(p: LogicalPlan): readonly LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
    case 'table-function':
    case 'expand':
    case 'work-table':
      return [];
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'window':
    case 'sort':
    case 'limit':
    case 'distinct':
    case 'update':
    case 'delete':
    case 'gap-fill':
    case 'live':
      return [p.input];
    case 'insert':
      return [p.source];
    case 'join':
    case 'set-op':
      return [p.left, p.right];
    case 'recursive-cte':
      return [p.anchor, p.recursive];
  }
}

// ─── Bound statements (what the binder returns for one statement) ────────────

export interface ColumnDefinition {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  readonly defaultSql?: string;
  /** `serial`/`bigserial` columns: the engine creates and draws from a sequence. */
  readonly serial?: boolean;
}

/** COPY's data format and its options, defaults filled in (PostgreSQL's COPY reference page). */
export interface CopyFormat {
  /** `binary`: PostgreSQL's binary COPY, whose fields the wire protocol encodes and decodes (the other options do not apply). */
  readonly format: 'text' | 'csv' | 'binary';
  readonly delimiter: string;
  /** The text that stands for NULL: `\N` in text format, an unquoted empty field in CSV. */
  readonly null: string;
  readonly header: boolean;
  readonly quote: string;
  readonly escape: string;
}

export type BoundStatement =
  /** SELECT and the writes: a plan whose schema is the result (empty for writes without RETURNING). */
  | { readonly kind: 'query'; readonly plan: LogicalPlan; readonly params: readonly DataType[] }
  | {
      readonly kind: 'create-table';
      readonly schema: string;
      readonly name: string;
      readonly ifNotExists: boolean;
      readonly columns: readonly ColumnDefinition[];
      readonly primaryKey: readonly string[];
      readonly uniques: readonly { readonly name: string; readonly columns: readonly string[] }[];
      readonly foreignKeys: readonly ForeignKeyInfo[];
      readonly checks: readonly { readonly name: string; readonly sql: string }[];
      /** CREATE TABLE … AS: rows to load after creation. */
      readonly asQuery?: LogicalPlan;
    }
  | { readonly kind: 'drop'; readonly objectKind: 'table' | 'index' | 'view'; readonly names: readonly { readonly schema: string; readonly name: string }[]; readonly ifExists: boolean; readonly cascade: boolean }
  | { readonly kind: 'create-index'; readonly schema: string; readonly name: string; readonly table: string; readonly columns: readonly string[]; readonly unique: boolean; readonly ifNotExists: boolean }
  | { readonly kind: 'create-view'; readonly schema: string; readonly name: string; readonly orReplace: boolean; readonly sql: string; readonly columnNames: readonly string[]; readonly columns: Schema }
  | {
      readonly kind: 'alter-table';
      readonly schema: string;
      readonly name: string;
      readonly action:
        /** `foreignKey`: the column's REFERENCES constraint (added columns start NULL, so it holds). */
        | { readonly kind: 'add-column'; readonly column: ColumnDefinition; readonly ifNotExists: boolean; readonly foreignKey?: ForeignKeyInfo }
        /** `checks`: the table's CHECK constraints after the change, when it changes them. */
        | { readonly kind: 'drop-column'; readonly column: string; readonly ifExists: boolean; readonly checks?: readonly CheckInfo[] }
        | { readonly kind: 'rename-column'; readonly from: string; readonly to: string; readonly checks?: readonly CheckInfo[] }
        | { readonly kind: 'rename-table'; readonly to: string };
    }
  | { readonly kind: 'transaction'; readonly action: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback-to'; readonly savepoint?: string; readonly modes: readonly string[] }
  | { readonly kind: 'set'; readonly name: string; readonly value: string | null; readonly local: boolean }
  | { readonly kind: 'show'; readonly name: string }
  | { readonly kind: 'analyze'; readonly tables: readonly string[] }
  /**
   * COPY with the client: `from` runs `plan` (an INSERT of one row whose values are the parameters,
   * one per copied column) for every row read; `to` sends `plan`'s rows.
   */
  | { readonly kind: 'copy'; readonly direction: 'from' | 'to'; readonly plan: LogicalPlan; readonly params: readonly DataType[]; readonly format: CopyFormat; readonly columns: readonly string[] }
  | { readonly kind: 'explain'; readonly analyze: boolean; readonly format: 'text' | 'json'; readonly statement: BoundStatement };
