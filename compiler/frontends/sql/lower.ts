// SQL AST → bound statement: dispatches each statement kind to its lowering (queries, writes, DDL, utility statements).

import type { BoundStatement, LogicalPlan } from '../../ir/plan.ts';
import type { BindContext } from '../../bind/context.ts';
import type * as A from './ast.ts';
import { bindQuery } from './lower-query.ts';
import { bindDelete, bindInsert, bindUpdate } from './lower-write.ts';
import { bindDdl } from './lower-ddl.ts';
import { bindCopy } from './lower-copy.ts';

const queryStatement = (ctx: BindContext, plan: LogicalPlan | undefined): BoundStatement | undefined =>
  plan ? { kind: 'query', plan, params: ctx.paramTypes() } : undefined;

function setValue(v: readonly (A.LiteralExpr | A.Ident)[]): string | null {
  if (v.length === 0) return null;
  return v
    .map((x) => {
      if (x.kind === 'ident') return x.name;
      const l = x.value;
      switch (l.kind) {
        case 'string': return l.value;
        case 'integer': case 'decimal': case 'float': return l.text;
        case 'bool': return l.value ? 'on' : 'off';
        case 'null': return 'null';
      }
    })
    .join(', ');
}

/** Lowers one statement; undefined when it has errors (the context holds their diagnostics). */
export function lowerStatement(stmt: A.Statement, ctx: BindContext): BoundStatement | undefined {
  switch (stmt.kind) {
    case 'query-statement':
      return queryStatement(ctx, bindQuery(stmt.query, { ctx }));
    case 'insert':
      return queryStatement(ctx, bindInsert(stmt, { ctx }));
    case 'update':
      return queryStatement(ctx, bindUpdate(stmt, { ctx }));
    case 'delete':
      return queryStatement(ctx, bindDelete(stmt, { ctx }));
    case 'create-table':
    case 'drop':
    case 'create-index':
    case 'create-view':
    case 'alter-table':
      return bindDdl(stmt, ctx);
    case 'transaction':
      return { kind: 'transaction', action: stmt.action, ...(stmt.savepoint ? { savepoint: stmt.savepoint.name } : {}), modes: stmt.modes };
    case 'set':
      return { kind: 'set', name: stmt.name, value: stmt.reset ? null : setValue(stmt.value), local: stmt.scope === 'local' };
    case 'show':
      return { kind: 'show', name: stmt.name };
    case 'analyze': {
      const tables: string[] = [];
      for (const q of stmt.tables) {
        const parts = q.parts.map((p) => p.name);
        const rel = ctx.catalog.getRelation(parts.length > 1 ? parts[0] : undefined, parts[parts.length - 1]!);
        if (!rel) ctx.error('undefined_table', parts.join('.'), q.span);
        else if (rel.kind !== 'table') ctx.error('wrong_object_type', `"${rel.name}" is not a table`, q.span);
        else tables.push(rel.name);
      }
      return { kind: 'analyze', tables };
    }
    case 'copy':
      return bindCopy(stmt, ctx);
    case 'explain': {
      const inner = lowerStatement(stmt.statement, ctx);
      return inner ? { kind: 'explain', analyze: stmt.analyze, format: stmt.format, statement: inner } : undefined;
    }
  }
}
