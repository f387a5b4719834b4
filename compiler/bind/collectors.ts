// Per-query-level collectors of aggregate and window calls: each distinct call becomes one output column.

import { colRef, type AggregateCall, type Column, type ColumnRef, type WindowCall } from '../ir/expr.ts';
import type { AggregateItem, WindowItem } from '../ir/plan.ts';
import type { BindContext } from './context.ts';
import { exprKey } from './expr-key.ts';

/** Collects the aggregate calls of one query level; identical calls share one output column. */
export class AggCollector {
  readonly items: AggregateItem[] = [];
  private readonly byKey = new Map<string, Column>();

  add(ctx: BindContext, name: string, c: AggregateCall): ColumnRef {
    const key = `${c.fn}${c.distinct ? ' distinct' : ''}(${c.args.map(exprKey).join(',')})${c.filter ? ` filter ${exprKey(c.filter)}` : ''} ${c.orderBy.map((k) => exprKey(k.expr) + (k.descending ? 'd' : 'a')).join(',')}`;
    let col = this.byKey.get(key);
    if (!col) {
      col = ctx.column(name, c.type, c.nullable);
      this.byKey.set(key, col);
      this.items.push({ column: col, call: c });
    }
    return colRef(col);
  }
}

/** Collects the window calls of one query level. */
export class WindowCollector {
  readonly items: WindowItem[] = [];

  add(ctx: BindContext, name: string, w: WindowCall): ColumnRef {
    const col = ctx.column(name, w.type, w.nullable);
    this.items.push({ column: col, call: w });
    return colRef(col);
  }
}
