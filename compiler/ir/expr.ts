// Typed scalar expressions of the logical IR and their smart constructors.

import type { DataType } from './types.ts';
import type { LogicalPlan } from './plan.ts';

/** Binder-minted column identity; unique within one compiled statement. Names are display only. */
export type ColumnId = number;

/** A column of a plan node's output schema. */
export interface Column {
  readonly id: ColumnId;
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** Alias or name of the relation it came from, for `t.*` expansion and display. */
  readonly relation?: string;
}

export type Schema = readonly Column[];

interface Typed {
  readonly type: DataType;
  readonly nullable: boolean;
}

export interface ColumnRef extends Typed {
  readonly kind: 'column';
  readonly id: ColumnId;
  readonly name: string;
}

/** A constant; `value` follows the conventions documented on `DataType`. */
export interface Literal extends Typed {
  readonly kind: 'literal';
  readonly value: unknown;
}

/** A statement parameter `$index` (1-based); its type is inferred by the binder. */
export interface Param extends Typed {
  readonly kind: 'param';
  readonly index: number;
}

/**
 * A resolved function or operator call. `fn` is the registry name (operators keep their SQL
 * spelling: `+`, `=`, `and`, `not`, `||`, `like`, `is_null`, `in`…); the registry gives the kernel.
 */
export interface Call extends Typed {
  readonly kind: 'call';
  readonly fn: string;
  readonly args: readonly Expr[];
}

export interface Case extends Typed {
  readonly kind: 'case';
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}

/** A conversion to `type` (explicit CAST or an implicit coercion the binder inserted). */
export interface Cast extends Typed {
  readonly kind: 'cast';
  readonly expr: Expr;
  readonly implicit: boolean;
}

/**
 * A subquery used as a value. `correlated` lists the outer column ids the plan reads; an empty
 * list means it can be evaluated once. Decorrelation rules turn most of these into joins.
 */
export interface Subquery extends Typed {
  readonly kind: 'subquery';
  /** Unique within the statement; the physical plan keys its planned subplans by it. */
  readonly id: number;
  readonly mode: 'scalar' | 'exists' | 'in' | 'any' | 'all' | 'array';
  readonly plan: LogicalPlan;
  /** For in/any/all: the left operand, compared with `op` against the plan's single column. */
  readonly operand?: Expr;
  readonly op?: string;
  readonly correlated: readonly ColumnId[];
}

export type Expr = ColumnRef | Literal | Param | Call | Case | Cast | Subquery;

export interface SortKey {
  readonly expr: Expr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** An aggregate call inside an Aggregate node. */
export interface AggregateCall extends Typed {
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter?: Expr;
  readonly orderBy: readonly SortKey[];
}

export type FrameBound =
  | { readonly kind: 'unbounded-preceding' }
  | { readonly kind: 'preceding'; readonly offset: Expr }
  | { readonly kind: 'current-row' }
  | { readonly kind: 'following'; readonly offset: Expr }
  | { readonly kind: 'unbounded-following' };

export interface Frame {
  readonly units: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

/** A window function call inside a Window node. */
export interface WindowCall extends Typed {
  readonly fn: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter?: Expr;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortKey[];
  /** PostgreSQL's default frame is RANGE UNBOUNDED PRECEDING → CURRENT ROW (whole partition without ORDER BY). */
  readonly frame: Frame;
}

// ─── Smart constructors ─────────────────────────────────────────────────────

export const colRef = (c: Column): ColumnRef => ({ kind: 'column', id: c.id, name: c.name, type: c.type, nullable: c.nullable });

export const literal = (value: unknown, type: DataType): Literal => ({ kind: 'literal', value, type, nullable: value === null });

export const param = (index: number, type: DataType): Param => ({ kind: 'param', index, type, nullable: true });

export const call = (fn: string, args: readonly Expr[], type: DataType, nullable?: boolean): Call => ({
  kind: 'call',
  fn,
  args,
  type,
  nullable: nullable ?? args.some((a) => a.nullable),
});

export const cast = (expr: Expr, type: DataType, implicit: boolean): Cast => ({ kind: 'cast', expr, type, nullable: expr.nullable, implicit });

export const caseExpr = (whens: Case['whens'], elseExpr: Expr | undefined, type: DataType): Case => ({
  kind: 'case',
  whens,
  ...(elseExpr ? { else: elseExpr } : {}),
  type,
  nullable: !elseExpr || elseExpr.nullable || whens.some((w) => w.then.nullable),
});

/** Column ids an expression reads (not descending into subquery plans except their correlation lists). */
export function exprColumns(e: Expr, out: Set<ColumnId> = new Set()): Set<ColumnId> {
  switch (e.kind) {
    case 'column':
      out.add(e.id);
      break;
    case 'literal':
    case 'param':
      break;
    case 'call':
      for (const a of e.args) exprColumns(a, out);
      break;
    case 'case':
      for (const w of e.whens) {
        exprColumns(w.when, out);
        exprColumns(w.then, out);
      }
      if (e.else) exprColumns(e.else, out);
      break;
    case 'cast':
      exprColumns(e.expr, out);
      break;
    case 'subquery':
      if (e.operand) exprColumns(e.operand, out);
      for (const c of e.correlated) out.add(c);
      break;
  }
  return out;
}
