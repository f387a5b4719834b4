// Shared helpers for binder tests: a small schema, parse+bind of one statement, marked-source templates.

import { readFileSync } from 'node:fs';
import { catalogFromSchema, type Catalog, type MemoryCatalog } from '../../compiler/catalog/index.ts';
import { bindStatement } from '../../compiler/bind/index.ts';
import { parseSql } from '../../compiler/frontends/sql/index.ts';
import type { Diagnostic, Span } from '../../compiler/diagnostics/index.ts';
import type { BoundStatement } from '../../compiler/ir/plan.ts';
import type { DataType } from '../../compiler/ir/types.ts';
import { printLogical } from '../../compiler/ir/print.ts';
import { TPCH_SF1_STATS } from '../fixtures/tpch/stats.ts';

export const TEST_SCHEMA = `
CREATE TABLE t (id int PRIMARY KEY, x int, name text, d date, amount numeric(15,2), ts timestamp);
CREATE TABLE u (id int PRIMARY KEY, t_id int REFERENCES t (id), v varchar(20), n bigint);
CREATE TABLE items (id serial PRIMARY KEY, label text NOT NULL DEFAULT 'none', qty int DEFAULT 1, created timestamptz DEFAULT now());
CREATE TABLE kv (k text, v jsonb, UNIQUE (k));
CREATE VIEW big AS SELECT id, x FROM t WHERE x > 10;
`;

function build(sql: string): MemoryCatalog {
  const { catalog, diagnostics } = catalogFromSchema(sql);
  if (diagnostics.length) throw new Error(`schema diagnostics: ${JSON.stringify(diagnostics)}`);
  return catalog;
}

export const testCatalog = (): MemoryCatalog => build(TEST_SCHEMA);

export const TPCH_DIR = new URL('../fixtures/tpch/', import.meta.url).pathname;

export function tpchCatalog(): MemoryCatalog {
  const { catalog, diagnostics } = catalogFromSchema(readFileSync(`${TPCH_DIR}schema.sql`, 'utf8'), TPCH_SF1_STATS);
  if (diagnostics.length) throw new Error(`schema diagnostics: ${JSON.stringify(diagnostics)}`);
  return catalog;
}

/** Parses exactly one statement and binds it. */
export function bindSql(sql: string, catalog: Catalog, paramTypes?: DataType[]): { bound?: BoundStatement; diagnostics: Diagnostic[] } {
  const parsed = parseSql(sql);
  if (parsed.diagnostics.length) throw new Error(`parse diagnostics for ${sql}: ${JSON.stringify(parsed.diagnostics)}`);
  if (parsed.statements.length !== 1) throw new Error(`expected one statement in ${sql}`);
  return bindStatement(parsed.statements[0]!.ast, sql, catalog, paramTypes ? { paramTypes } : {});
}

/** Binds a query that must have no diagnostics; returns its bound statement. */
export function bindOk(sql: string, catalog: Catalog, paramTypes?: DataType[]): BoundStatement {
  const r = bindSql(sql, catalog, paramTypes);
  if (r.diagnostics.length || !r.bound) throw new Error(`diagnostics for ${sql}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.bound;
}

/** The printed logical plan of a query/write statement. */
export function planText(sql: string, catalog: Catalog): string {
  const b = bindOk(sql, catalog);
  if (b.kind !== 'query') throw new Error(`${sql} is not a query`);
  return printLogical(b.plan);
}

/** Strips `⟦ ⟧` markers from a template, returning the SQL and the marked span. */
export function marked(template: string): { sql: string; span: Span } {
  const start = template.indexOf('⟦');
  const end = template.indexOf('⟧');
  if (start < 0 || end < start) throw new Error(`no marked range in ${template}`);
  return { sql: template.slice(0, start) + template.slice(start + 1, end) + template.slice(end + 1), span: { start, end: end - 1 } };
}

/** Dedents a template literal of expected plan text. */
export function text(s: string): string {
  const lines = s.replace(/^\n/, '').replace(/\n\s*$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
