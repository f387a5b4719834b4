// Canonical SQL text from the AST (`orbit fmt`): upper-case keywords, one clause per line, and only the
// parentheses the grammar needs, so parsing the output gives back the same tree (spans aside).

import type * as A from './ast.ts';
import { POSTGRES_RESERVED } from './split.ts';

/**
 * How a language that extends SQL prints its own forms over a SQL tree: `expr` may give an expression's
 * whole text (printed as a primary, `print` formats its parts), `fromItem` a FROM item's (`alias` is its
 * formatted alias, ` AS a`, or empty), `afterGroupBy` adds to a GROUP BY clause.
 */
export interface FormatHooks {
  expr?(e: A.Expr, print: (e: A.Expr) => string): string | undefined;
  fromItem?(f: A.FromItem, alias: string): string | undefined;
  afterGroupBy?(s: A.Select): string;
}

// Formatting is synchronous, so the hooks of the statement being formatted can live here.
let hooks: FormatHooks = {};

/** Formats one statement (no trailing `;`). */
export function formatSql(statement: A.Statement, with_: FormatHooks = {}): string {
  const saved = hooks;
  hooks = with_;
  try {
    return stmt(statement, '');
  } finally {
    hooks = saved;
  }
}

/** Formats statements as a script: each ends with `;`, separated by a blank line. */
export function formatScript(statements: readonly A.Statement[]): string {
  return statements.map((s) => formatSql(s) + ';\n').join('\n');
}

// ─── Precedence levels, lowest first; mirrors the expression rules of sql.ohm ─────

const OR = 1;
const AND = 2;
const NOT = 3;
const IS = 4;
const CMP = 5;
const PRED = 6;
const OTHER = 7;
const ADD = 8;
const MUL = 9;
const POW = 10;
const UNARY = 11;
const POSTFIX = 12;
const PRIMARY = 13;

const BINARY_LEVEL: Record<A.BinaryOp, number> = {
  or: OR,
  and: AND,
  '=': CMP, '<>': CMP, '!=': CMP, '<': CMP, '<=': CMP, '>': CMP, '>=': CMP,
  '||': OTHER, '->': OTHER, '->>': OTHER, '#>': OTHER, '#>>': OTHER, '@>': OTHER, '<@': OTHER, '?': OTHER, '~': OTHER, '!~': OTHER, '~*': OTHER, '!~*': OTHER,
  '&': OTHER, '|': OTHER, '#': OTHER, '<<': OTHER, '>>': OTHER,
  '+': ADD, '-': ADD,
  '*': MUL, '/': MUL, '%': MUL,
  '^': POW,
};

function level(e: A.Expr): number {
  switch (e.kind) {
    case 'binary':
      return BINARY_LEVEL[e.op];
    case 'unary':
      return e.op === 'not' ? NOT : UNARY;
    case 'is':
      return IS;
    case 'quantified':
      return CMP;
    case 'between':
    case 'in-list':
    case 'in-subquery':
    case 'like':
      return PRED;
    case 'subscript':
      return POSTFIX;
    case 'cast':
      return e.syntax === 'colons' ? POSTFIX : PRIMARY;
    default:
      return PRIMARY;
  }
}

// ─── Names ─────────────────────────────────────────────────────────────────

const PLAIN_IDENT = /^[a-z_\u0080-\uffff][a-z0-9_$\u0080-\uffff]*$/;

function quote(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

function ident(id: A.Ident): string {
  return id.quoted || !PLAIN_IDENT.test(id.name) || POSTGRES_RESERVED.has(id.name) ? quote(id.name) : id.name;
}

/** A name as SQL text: bare when it reads back as the same name, else double-quoted. */
export function identifierText(name: string): string {
  return !PLAIN_IDENT.test(name) || POSTGRES_RESERVED.has(name) ? quote(name) : name;
}

/** After a dot any keyword is a label, so only the shape decides quoting. */
function label(id: A.Ident): string {
  return id.quoted || !PLAIN_IDENT.test(id.name) ? quote(id.name) : id.name;
}

function qname(q: A.QName): string {
  let out = ident(q.parts[0]!);
  for (let i = 1; i < q.parts.length; i++) out += '.' + label(q.parts[i]!);
  return out;
}

function idents(ids: readonly A.Ident[]): string {
  return ids.map(ident).join(', ');
}

// ─── Literals and types ────────────────────────────────────────────────────

function stringLit(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

function escapeLit(value: string): string {
  let out = "E'";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + "'";
}

function dollarLit(value: string): string {
  for (let i = 0; ; i++) {
    const delim = i === 0 ? '$$' : `$q${i}$`;
    if ((value + delim).indexOf(delim) === value.length) return delim + value + delim;
  }
}

function literal(v: A.LiteralValue): string {
  switch (v.kind) {
    case 'null':
      return 'NULL';
    case 'bool':
      return v.value ? 'TRUE' : 'FALSE';
    case 'integer':
    case 'decimal':
    case 'float':
      return v.text;
    case 'string':
      return v.form === 'escape' ? escapeLit(v.value) : v.form === 'dollar' ? dollarLit(v.value) : stringLit(v.value);
  }
}

/** Type words the grammar spells as keywords; the rest are names. */
const KEYWORD_TYPES = new Set([
  'double precision', 'character varying', 'char varying', 'bit varying',
  'timestamp', 'timestamp with time zone', 'timestamp without time zone',
  'time', 'time with time zone', 'time without time zone',
]);

function typeName(t: A.TypeName): string {
  const mods = t.modifiers.length > 0 ? `(${t.modifiers.join(', ')})` : '';
  let base: string;
  if (KEYWORD_TYPES.has(t.name)) {
    const sp = t.name.indexOf(' ');
    // Precision goes right after TIMESTAMP/TIME, before WITH TIME ZONE.
    base =
      t.name.startsWith('time') && sp > 0
        ? t.name.slice(0, sp).toUpperCase() + mods + t.name.slice(sp).toUpperCase()
        : t.name.toUpperCase() + mods;
  } else {
    base = (PLAIN_IDENT.test(t.name) && !POSTGRES_RESERVED.has(t.name) ? t.name.toUpperCase() : quote(t.name)) + mods;
  }
  return base + '[]'.repeat(t.arrayDims);
}

// ─── Expressions ───────────────────────────────────────────────────────────

const NILADIC = new Set([
  'current_date', 'current_timestamp', 'current_time', 'localtimestamp', 'localtime', 'current_user',
  'session_user', 'current_role', 'current_schema', 'current_catalog', 'user',
]);

function exprs(list: readonly A.Expr[], ind: string): string {
  return list.map((e) => expr(e, OR, ind)).join(', ');
}

/** Prints `e`, parenthesized when its level is below `min` (the level the grammar expects there). */
function expr(e: A.Expr, min: number, ind: string): string {
  const own = hooks.expr?.(e, (x) => expr(x, OR, ind));
  if (own !== undefined) return own;
  const text = exprText(e, ind);
  return level(e) < min ? `(${text})` : text;
}

function subquery(q: A.Query, ind: string): string {
  const inner = ind + '  ';
  return `(\n${inner}${query(q, inner)}\n${ind})`;
}

function exprText(e: A.Expr, ind: string): string {
  switch (e.kind) {
    case 'column-ref':
      return qname(e.name);
    case 'star':
      return e.table ? qname(e.table) + '.*' : '*';
    case 'literal':
      return literal(e.value);
    case 'param':
      return '$' + e.index;
    case 'unary': {
      if (e.op === 'not') return 'NOT ' + expr(e.operand, NOT, ind);
      const operand = expr(e.operand, UNARY, ind);
      // `--` would start a comment; keep any two operator characters apart.
      return /^[-+~!@#%^&|`?*/<>=]/.test(operand) ? `${e.op} ${operand}` : e.op + operand;
    }
    case 'binary': {
      const lvl = BINARY_LEVEL[e.op];
      const op = e.op === 'and' || e.op === 'or' ? e.op.toUpperCase() : e.op;
      // Comparisons do not associate; everything else is left-associative.
      const leftMin = lvl === CMP ? PRED : lvl;
      const rightMin = lvl === CMP ? PRED : lvl + 1;
      return `${expr(e.left, leftMin, ind)} ${op} ${expr(e.right, rightMin, ind)}`;
    }
    case 'func-call':
      return funcCall(e, ind);
    case 'case': {
      let out = 'CASE';
      if (e.operand) out += ' ' + expr(e.operand, OR, ind);
      for (const w of e.whens) out += ` WHEN ${expr(w.when, OR, ind)} THEN ${expr(w.then, OR, ind)}`;
      if (e.else) out += ` ELSE ${expr(e.else, OR, ind)}`;
      return out + ' END';
    }
    case 'cast':
      return e.syntax === 'cast'
        ? `CAST(${expr(e.expr, OR, ind)} AS ${typeName(e.type)})`
        : `${expr(e.expr, POSTFIX, ind)}::${typeName(e.type)}`;
    case 'subquery':
      return (e.array ? 'ARRAY' : '') + subquery(e.query, ind);
    case 'exists':
      return 'EXISTS ' + subquery(e.query, ind);
    case 'in-list':
      return `${expr(e.expr, OTHER, ind)} ${e.negated ? 'NOT IN' : 'IN'} (${exprs(e.list, ind)})`;
    case 'in-subquery':
      return `${expr(e.expr, OTHER, ind)} ${e.negated ? 'NOT IN' : 'IN'} ${subquery(e.query, ind)}`;
    case 'quantified': {
      const src = e.source.kind === 'query' ? subquery(e.source.query, ind) : `(${expr(e.source.expr, OR, ind)})`;
      return `${expr(e.expr, PRED, ind)} ${e.op} ${e.quantifier.toUpperCase()} ${src}`;
    }
    case 'between':
      return (
        `${expr(e.expr, OTHER, ind)} ${e.negated ? 'NOT ' : ''}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}` +
        `${expr(e.low, OTHER, ind)} AND ${expr(e.high, OTHER, ind)}`
      );
    case 'like': {
      const op = (e.negated ? 'NOT ' : '') + (e.caseInsensitive ? 'ILIKE' : 'LIKE');
      const esc = e.escape ? ` ESCAPE ${expr(e.escape, OTHER, ind)}` : '';
      return `${expr(e.expr, OTHER, ind)} ${op} ${expr(e.pattern, OTHER, ind)}${esc}`;
    }
    case 'is': {
      const not = e.negated ? 'NOT ' : '';
      const left = expr(e.expr, IS, ind);
      if (e.test.kind === 'distinct-from') return `${left} IS ${not}DISTINCT FROM ${expr(e.test.other, CMP, ind)}`;
      return `${left} IS ${not}${e.test.kind.toUpperCase()}`;
    }
    case 'array':
      return `ARRAY[${exprs(e.elements, ind)}]`;
    case 'subscript': {
      // `x::int[1]` reads as a cast to int[] (PostgreSQL takes array bounds in type names), so a
      // subscript of a `::` cast needs the cast in parentheses.
      const b = expr(e.expr, POSTFIX, ind);
      const base = e.expr.kind === 'cast' && e.expr.syntax === 'colons' ? `(${b})` : b;
      if (!e.slice) return `${base}[${expr(e.index, OR, ind)}]`;
      return `${base}[${expr(e.index, OR, ind)}:${e.upper ? expr(e.upper, OR, ind) : ''}]`;
    }
    case 'row':
      return e.explicit || e.fields.length < 2 ? `ROW(${exprs(e.fields, ind)})` : `(${exprs(e.fields, ind)})`;
    case 'typed-literal':
      return `${typeName(e.type)} ${stringLit(e.value)}`;
    case 'interval-literal':
      return `INTERVAL ${stringLit(e.value)}${e.unit ? ' ' + e.unit.toUpperCase() : ''}`;
    case 'extract':
      return `EXTRACT(${/^[a-z_][a-z0-9_]*$/.test(e.field) ? e.field.toUpperCase() : stringLit(e.field)} FROM ${expr(e.expr, OR, ind)})`;
  }
}

function funcCall(f: A.FuncCallExpr, ind: string): string {
  const name = f.name.parts.length === 1 ? f.name.parts[0]! : undefined;
  if (name && !name.quoted && f.args.length === 0 && !f.star && !f.distinct && !f.filter && !f.over && NILADIC.has(name.name)) {
    return name.name.toUpperCase();
  }
  // LEFT and RIGHT are reserved but are also function names in the grammar.
  const fn = name && !name.quoted && (name.name === 'left' || name.name === 'right') ? name.name : qname(f.name);
  let args = f.star ? '*' : (f.distinct ? 'DISTINCT ' : '') + exprs(f.args, ind);
  if (f.orderBy.length > 0) args += ' ORDER BY ' + orderItems(f.orderBy, ind);
  let out = `${fn}(${args})`;
  if (f.filter) out += ` FILTER (WHERE ${expr(f.filter, OR, ind)})`;
  if (f.over) out += ' OVER ' + windowRef(f.over, ind);
  return out;
}

function windowRef(w: A.WindowSpec, ind: string): string {
  if (w.base && w.partitionBy.length === 0 && w.orderBy.length === 0 && !w.frame) return ident(w.base);
  return `(${windowSpec(w, ind)})`;
}

function windowSpec(w: A.WindowSpec, ind: string): string {
  const parts: string[] = [];
  if (w.base) parts.push(ident(w.base));
  if (w.partitionBy.length > 0) parts.push('PARTITION BY ' + exprs(w.partitionBy, ind));
  if (w.orderBy.length > 0) parts.push('ORDER BY ' + orderItems(w.orderBy, ind));
  if (w.frame) {
    const f = w.frame;
    const units = f.units.toUpperCase();
    parts.push(f.end ? `${units} BETWEEN ${frameBound(f.start, ind)} AND ${frameBound(f.end, ind)}` : `${units} ${frameBound(f.start, ind)}`);
  }
  return parts.join(' ');
}

function frameBound(b: A.FrameBound, ind: string): string {
  switch (b.kind) {
    case 'unbounded-preceding':
      return 'UNBOUNDED PRECEDING';
    case 'unbounded-following':
      return 'UNBOUNDED FOLLOWING';
    case 'current-row':
      return 'CURRENT ROW';
    case 'preceding':
      return expr(b.offset, OR, ind) + ' PRECEDING';
    case 'following':
      return expr(b.offset, OR, ind) + ' FOLLOWING';
  }
}

function orderItems(items: readonly A.OrderItem[], ind: string): string {
  return items
    .map((o) => {
      let out = expr(o.expr, OR, ind);
      if (o.direction) out += ' ' + o.direction.toUpperCase();
      if (o.nulls) out += ' NULLS ' + o.nulls.toUpperCase();
      return out;
    })
    .join(', ');
}

// ─── Queries ───────────────────────────────────────────────────────────────

const WRAP = 100;

/** `HEAD a, b, c` on one line when short, else one item per line (items rendered at their indentation). */
function clause(head: string, render: (itemInd: string) => readonly string[], ind: string): string {
  const flat = render(ind).join(', ');
  if (head.length + flat.length < WRAP && !flat.includes('\n')) return `${head} ${flat}`;
  const inner = ind + '  ';
  return `${head}\n${inner}${render(inner).join(`,\n${inner}`)}`;
}

/** A condition clause; a long AND chain gets one conjunct per line. */
function condition(head: string, e: A.Expr, ind: string): string {
  const flat = expr(e, OR, ind);
  if (head.length + flat.length < WRAP || e.kind !== 'binary' || e.op !== 'and') return `${head} ${flat}`;
  const conjuncts: A.Expr[] = [];
  let cur: A.Expr = e;
  while (cur.kind === 'binary' && cur.op === 'and') {
    conjuncts.push(cur.right);
    cur = cur.left;
  }
  conjuncts.push(cur);
  conjuncts.reverse();
  const inner = ind + '  ';
  return `${head} ${expr(conjuncts[0]!, AND, inner)}` + conjuncts.slice(1).map((c) => `\n${inner}AND ${expr(c, NOT, inner)}`).join('');
}

function withClause(w: A.WithClause, ind: string): string {
  const ctes = w.ctes.map((c) => {
    const cols = c.columns.length > 0 ? ` (${idents(c.columns)})` : '';
    const mat = c.materialized === undefined ? '' : c.materialized ? 'MATERIALIZED ' : 'NOT MATERIALIZED ';
    return `${ident(c.name)}${cols} AS ${mat}${subquery(c.query, ind)}`;
  });
  return `WITH ${w.recursive ? 'RECURSIVE ' : ''}${ctes.join(', ')}\n${ind}`;
}

function query(q: A.Query, ind: string): string {
  let out = q.with ? withClause(q.with, ind) : '';
  out += body(q.body, ind);
  if (q.orderBy.length > 0) out += `\n${ind}ORDER BY ${orderItems(q.orderBy, ind)}`;
  if (q.fetch) {
    if (q.offset) out += `\n${ind}OFFSET ${expr(q.offset, OR, ind)} ROWS`;
    if (q.limit) {
      // After FETCH FIRST, a leading ROW would be read as the ROW/ROWS noise word.
      const count = expr(q.limit, UNARY, ind);
      out += `\n${ind}FETCH FIRST ${count.startsWith('ROW(') ? `(${count})` : count} ROWS ONLY`;
    }
  } else {
    if (q.limit) out += `\n${ind}LIMIT ${expr(q.limit, OR, ind)}`;
    if (q.offset) out += `\n${ind}OFFSET ${expr(q.offset, OR, ind)}`;
  }
  return out;
}

/** A set-operation operand; `primaryOnly` when the grammar allows no set operation there. */
function setOperand(b: A.QueryBody, ind: string, allowUnion: boolean, allowIntersect: boolean): string {
  const wrap =
    b.kind === 'query' || (b.kind === 'set-op' && (b.op === 'intersect' ? !allowIntersect : !allowUnion));
  if (!wrap) return body(b, ind);
  const inner = ind + '  ';
  const text = b.kind === 'query' ? query(b, inner) : body(b, inner);
  return `(\n${inner}${text}\n${ind})`;
}

function body(b: A.QueryBody, ind: string): string {
  switch (b.kind) {
    case 'select':
      return select(b, ind);
    case 'values':
      return clause('VALUES', (i) => b.rows.map((r) => `(${exprs(r, i)})`), ind);
    case 'query':
      return setOperand(b, ind, false, false);
    case 'set-op': {
      const op = b.op.toUpperCase() + (b.all ? ' ALL' : '');
      const isIntersect = b.op === 'intersect';
      const left = setOperand(b.left, ind, !isIntersect, true);
      const right = setOperand(b.right, ind, false, !isIntersect);
      return `${left}\n${ind}${op}\n${ind}${right}`;
    }
  }
}

function selectItem(item: A.SelectItem, ind: string): string {
  const e = expr(item.expr, OR, ind);
  return item.alias ? `${e} AS ${label(item.alias)}` : e;
}

function select(s: A.Select, ind: string): string {
  let head = 'SELECT';
  if (s.distinctOn.length > 0) head += ` DISTINCT ON (${exprs(s.distinctOn, ind)})`;
  else if (s.distinct) head += ' DISTINCT';
  let out = s.items.length > 0 ? clause(head, (i) => s.items.map((it) => selectItem(it, i)), ind) : head;
  if (s.from.length > 0) out += `\n${ind}` + clause('FROM', (i) => s.from.map((f) => fromItem(f, i)), ind);
  if (s.where) out += `\n${ind}` + condition('WHERE', s.where, ind);
  if (s.groupBy.length > 0) out += `\n${ind}` + clause('GROUP BY', (i) => s.groupBy.map((g) => expr(g, OR, i)), ind) + (hooks.afterGroupBy?.(s) ?? '');
  if (s.having) out += `\n${ind}` + condition('HAVING', s.having, ind);
  if (s.windows.length > 0) {
    out += `\n${ind}WINDOW ` + s.windows.map((w) => `${ident(w.name)} AS (${windowSpec(w.spec, ind)})`).join(', ');
  }
  return out;
}

function tableAlias(a: A.TableAlias | undefined): string {
  if (!a) return '';
  return ` AS ${ident(a.name)}` + (a.columns.length > 0 ? ` (${idents(a.columns)})` : '');
}

function fromItem(f: A.FromItem, ind: string): string {
  const own = f.kind === 'join' ? undefined : hooks.fromItem?.(f, tableAlias(f.alias));
  if (own !== undefined) return own;
  switch (f.kind) {
    case 'table-ref':
      return qname(f.name) + tableAlias(f.alias);
    case 'derived-table':
      return (f.lateral ? 'LATERAL ' : '') + subquery(f.query, ind) + tableAlias(f.alias);
    case 'function-table':
      return funcCall(f.call, ind) + (f.ordinality ? ' WITH ORDINALITY' : '') + tableAlias(f.alias);
    case 'join': {
      const right = f.right.kind === 'join' ? `(${fromItem(f.right, ind + '  ')})` : fromItem(f.right, ind + '  ');
      let kw = f.joinType === 'inner' ? 'JOIN' : f.joinType === 'cross' ? 'CROSS JOIN' : `${f.joinType.toUpperCase()} JOIN`;
      if (f.natural) kw = 'NATURAL ' + kw;
      let out = `${fromItem(f.left, ind)}\n${ind}  ${kw} ${right}`;
      if (f.on) out += ` ON ${expr(f.on, OR, ind + '  ')}`;
      else if (f.using.length > 0) out += ` USING (${idents(f.using)})`;
      return out;
    }
  }
}

// ─── Statements ────────────────────────────────────────────────────────────

function returning(r: A.ReturningClause | undefined, ind: string): string {
  return r ? `\n${ind}` + clause('RETURNING', (i) => r.items.map((it) => selectItem(it, i)), ind) : '';
}

function assignment(a: A.Assignment, ind: string): string {
  const v = a.value.kind === 'default' ? 'DEFAULT' : expr(a.value, OR, ind);
  return `${ident(a.column)} = ${v}`;
}

function referential(onDelete: A.ReferentialAction | undefined, onUpdate: A.ReferentialAction | undefined): string {
  let out = '';
  if (onDelete) out += ' ON DELETE ' + onDelete.toUpperCase();
  if (onUpdate) out += ' ON UPDATE ' + onUpdate.toUpperCase();
  return out;
}

function columnConstraint(c: A.ColumnConstraint, ind: string): string {
  switch (c.kind) {
    case 'not-null':
      return 'NOT NULL';
    case 'null':
      return 'NULL';
    case 'primary-key':
      return 'PRIMARY KEY';
    case 'unique':
      return 'UNIQUE';
    case 'default':
      return 'DEFAULT ' + expr(c.expr, OTHER, ind);
    case 'check':
      return `CHECK (${expr(c.expr, OR, ind)})`;
    case 'references':
      return `REFERENCES ${qname(c.table)}${c.columns.length > 0 ? ` (${idents(c.columns)})` : ''}${referential(c.onDelete, c.onUpdate)}`;
  }
}

function columnDef(c: A.ColumnDef, ind: string): string {
  let out = `${ident(c.name)} ${typeName(c.type)}`;
  for (const k of c.constraints) out += ' ' + columnConstraint(k, ind);
  return out;
}

function tableConstraint(c: A.TableConstraint, ind: string): string {
  const name = c.name ? `CONSTRAINT ${ident(c.name)} ` : '';
  switch (c.kind) {
    case 'primary-key':
      return `${name}PRIMARY KEY (${idents(c.columns)})`;
    case 'unique':
      return `${name}UNIQUE (${idents(c.columns)})`;
    case 'check':
      return `${name}CHECK (${expr(c.expr, OR, ind)})`;
    case 'foreign-key':
      return (
        `${name}FOREIGN KEY (${idents(c.columns)}) REFERENCES ${qname(c.table)}` +
        (c.refColumns.length > 0 ? ` (${idents(c.refColumns)})` : '') +
        referential(c.onDelete, c.onUpdate)
      );
  }
}

function alterAction(a: A.AlterAction, ind: string): string {
  switch (a.kind) {
    case 'add-column':
      return `ADD COLUMN ${a.ifNotExists ? 'IF NOT EXISTS ' : ''}${columnDef(a.column, ind)}`;
    case 'drop-column':
      return `DROP COLUMN ${a.ifExists ? 'IF EXISTS ' : ''}${ident(a.name)}${a.cascade ? ' CASCADE' : ''}`;
    case 'rename-column':
      return `RENAME COLUMN ${ident(a.from)} TO ${ident(a.to)}`;
    case 'rename-table':
      return `RENAME TO ${ident(a.to)}`;
  }
}

function setValue(v: A.LiteralExpr | A.Ident): string {
  if (v.kind === 'literal') return literal(v.value);
  return v.quoted || !PLAIN_IDENT.test(v.name) ? quote(v.name) : v.name;
}

function transaction(s: A.TransactionStatement): string {
  switch (s.action) {
    case 'begin':
      return s.modes.length > 0 ? `BEGIN ${s.modes.map((m) => m.toUpperCase()).join(', ')}` : 'BEGIN';
    case 'commit':
      return 'COMMIT';
    case 'rollback':
      return 'ROLLBACK';
    case 'savepoint':
      return `SAVEPOINT ${ident(s.savepoint!)}`;
    case 'release':
      return `RELEASE SAVEPOINT ${ident(s.savepoint!)}`;
    case 'rollback-to':
      return `ROLLBACK TO SAVEPOINT ${ident(s.savepoint!)}`;
  }
}

/** Index elements other than a column or a function call need their own parentheses in PostgreSQL. */
function indexItems(items: readonly A.OrderItem[], ind: string): string {
  return items
    .map((o) => {
      const bare = o.expr.kind === 'column-ref' || o.expr.kind === 'func-call' || (o.expr.kind === 'subquery' && !o.expr.array);
      const e = bare ? expr(o.expr, OR, ind) : `(${expr(o.expr, OR, ind)})`;
      return e + (o.direction ? ' ' + o.direction.toUpperCase() : '') + (o.nulls ? ' NULLS ' + o.nulls.toUpperCase() : '');
    })
    .join(', ');
}

function stmt(s: A.Statement, ind: string): string {
  switch (s.kind) {
    case 'query-statement':
      return query(s.query, ind);
    case 'insert': {
      let out = s.with ? withClause(s.with, ind) : '';
      out += `INSERT INTO ${qname(s.table)}`;
      if (s.alias) out += ` AS ${ident(s.alias)}`;
      if (s.columns.length > 0) out += ` (${idents(s.columns)})`;
      const src = s.source;
      if (src.kind === 'default-values') out += ' DEFAULT VALUES';
      else if (src.kind === 'values') {
        const rows = src.rows.map((r) => '(' + r.map((v) => (v.kind === 'default' ? 'DEFAULT' : expr(v, OR, ind))).join(', ') + ')');
        out += `\n${ind}` + clause('VALUES', () => rows, ind);
      } else out += `\n${ind}${query(src.query, ind)}`;
      if (s.onConflict) {
        const c = s.onConflict;
        out += `\n${ind}ON CONFLICT`;
        if (c.constraint) out += ` ON CONSTRAINT ${ident(c.constraint)}`;
        else if (c.target.length > 0) out += ` (${idents(c.target)})`;
        if (c.action.kind === 'nothing') out += ' DO NOTHING';
        else {
          out += ' DO UPDATE SET ' + c.action.assignments.map((a) => assignment(a, ind)).join(', ');
          if (c.action.where) out += ` WHERE ${expr(c.action.where, OR, ind)}`;
        }
      }
      return out + returning(s.returning, ind);
    }
    case 'update': {
      let out = s.with ? withClause(s.with, ind) : '';
      out += `UPDATE ${qname(s.table)}${s.alias ? ` AS ${ident(s.alias)}` : ''}`;
      out += `\n${ind}` + clause('SET', (i) => s.assignments.map((a) => assignment(a, i)), ind);
      if (s.from.length > 0) out += `\n${ind}` + clause('FROM', (i) => s.from.map((f) => fromItem(f, i)), ind);
      if (s.where) out += `\n${ind}` + condition('WHERE', s.where, ind);
      return out + returning(s.returning, ind);
    }
    case 'delete': {
      let out = s.with ? withClause(s.with, ind) : '';
      out += `DELETE FROM ${qname(s.table)}${s.alias ? ` AS ${ident(s.alias)}` : ''}`;
      if (s.using.length > 0) out += `\n${ind}` + clause('USING', (i) => s.using.map((f) => fromItem(f, i)), ind);
      if (s.where) out += `\n${ind}` + condition('WHERE', s.where, ind);
      return out + returning(s.returning, ind);
    }
    case 'create-table': {
      const head = `CREATE TABLE ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}${qname(s.name)}`;
      if (s.asQuery) return `${head} AS\n${ind}${query(s.asQuery, ind)}`;
      const inner = ind + '  ';
      const elems = [...s.columns.map((c) => columnDef(c, inner)), ...s.constraints.map((c) => tableConstraint(c, inner))];
      return elems.length === 0 ? `${head} ()` : `${head} (\n${inner}${elems.join(`,\n${inner}`)}\n${ind})`;
    }
    case 'drop':
      return `DROP ${s.objectKind.toUpperCase()} ${s.ifExists ? 'IF EXISTS ' : ''}${s.names.map(qname).join(', ')}${s.cascade ? ' CASCADE' : ''}`;
    case 'create-index': {
      let out = `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX ${s.ifNotExists ? 'IF NOT EXISTS ' : ''}`;
      if (s.name) out += ident(s.name) + ' ';
      out += `ON ${qname(s.table)}`;
      if (s.using) out += ` USING ${ident(s.using)}`;
      return `${out} (${indexItems(s.columns, ind)})`;
    }
    case 'create-view': {
      const cols = s.columns.length > 0 ? ` (${idents(s.columns)})` : '';
      return `CREATE ${s.orReplace ? 'OR REPLACE ' : ''}VIEW ${qname(s.name)}${cols} AS\n${ind}${query(s.query, ind)}`;
    }
    case 'alter-table':
      return `ALTER TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${qname(s.name)} ${s.actions.map((a) => alterAction(a, ind)).join(', ')}`;
    case 'transaction':
      return transaction(s);
    case 'explain': {
      const opts: string[] = [];
      if (s.analyze) opts.push('ANALYZE');
      if (s.verbose) opts.push('VERBOSE');
      if (s.format === 'json') opts.push('FORMAT JSON');
      return `EXPLAIN ${opts.length > 0 ? `(${opts.join(', ')}) ` : ''}${stmt(s.statement, ind)}`;
    }
    case 'set':
      if (s.reset) return s.name === 'all' ? 'RESET ALL' : `RESET ${s.name}`;
      return `SET ${s.scope === 'local' ? 'LOCAL ' : ''}${s.name} TO ${s.value.length === 0 ? 'DEFAULT' : s.value.map(setValue).join(', ')}`;
    case 'show':
      return s.name === 'all' ? 'SHOW ALL' : `SHOW ${s.name}`;
    case 'analyze':
      return s.tables.length > 0 ? `ANALYZE ${s.tables.map(qname).join(', ')}` : 'ANALYZE';
    case 'copy': {
      const source = s.query ? `(${query(s.query, ind)})` : `${qname(s.table!)}${s.columns.length > 0 ? ` (${idents(s.columns)})` : ''}`;
      const opts = s.options.map((o) => (o.value === undefined ? o.name.toUpperCase() : `${o.name.toUpperCase()} ${stringLit(o.value)}`));
      return `COPY ${source} ${s.direction === 'from' ? 'FROM STDIN' : 'TO STDOUT'}${opts.length > 0 ? ` (${opts.join(', ')})` : ''}`;
    }
  }
}
