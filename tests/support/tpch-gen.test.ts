// Tests of the TPC-H generator: cardinalities, determinism, the spec's value rules, CSV and Arrow views.

import { describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import {
  centsToDecimal,
  dayToIso,
  TPCH_COLUMNS,
  TPCH_TABLES,
  tpchArrowIpc,
  tpchBatches,
  tpchCardinality,
  tpchDdl,
  tpchRows,
  writeTpchCsv,
  type TpchTable,
  type TpchValue,
} from './tpch-gen.ts';

const SF = 0.01;

const generated = new Map<string, TpchValue[][]>();

/** All rows of a table, memoized: several tests read the same SF 0.01 tables. */
function allRows(table: TpchTable, opts: { sf: number; seed?: number; batchRows?: number } = { sf: SF }): TpchValue[][] {
  const key = `${table}:${opts.sf}:${opts.seed ?? 1}:${opts.batchRows ?? 0}`;
  const hit = generated.get(key);
  if (hit) return hit;
  const out: TpchValue[][] = [];
  for (const chunk of tpchRows(table, opts)) for (const r of chunk) out.push(r);
  generated.set(key, out);
  return out;
}

const col = (table: TpchTable, name: string): number => TPCH_COLUMNS[table].findIndex((c) => c.name === name);
const day = (iso: string): number => Date.parse(iso) / 86_400_000;

describe('tpch generator', () => {
  test('cardinalities follow the spec', () => {
    expect(tpchCardinality('lineitem', 1)).toBe(6_000_000);
    expect(tpchCardinality('orders', 1)).toBe(1_500_000);
    expect(tpchCardinality('partsupp', 1)).toBe(800_000);
    for (const table of TPCH_TABLES) {
      if (table === 'lineitem') continue;
      expect(allRows(table)).toHaveLength(tpchCardinality(table, SF));
    }
    const lines = allRows('lineitem').length;
    expect(Math.abs(lines - tpchCardinality('lineitem', SF)) / tpchCardinality('lineitem', SF)).toBeLessThan(0.02);
  });

  test('the same seed gives the same rows whatever the batch size; another seed differs', () => {
    const a = allRows('orders');
    expect(allRows('orders', { sf: SF, batchRows: 1000 })).toEqual(a);
    expect(allRows('orders', { sf: SF, seed: 2 })).not.toEqual(a);
    let n = 0;
    for (const b of tpchBatches('lineitem', { sf: 0.002, batchRows: 777 })) {
      expect(b.length).toBeLessThanOrEqual(777 + 7);
      n += b.length;
    }
    expect(allRows('lineitem', { sf: 0.002, batchRows: 777 })).toEqual(allRows('lineitem', { sf: 0.002 }));
    expect(allRows('lineitem', { sf: 0.002 })).toHaveLength(n);
  });

  test('lineitem and orders obey the spec rules', () => {
    const parts = new Map(allRows('part').map((r) => [r[0] as number, Number(r[col('part', 'p_retailprice')])]));
    const orders = new Map(allRows('orders').map((r) => [r[0] as number, r]));
    const current = day('1995-06-17');
    const linesPerOrder = new Map<number, TpchValue[][]>();
    // Rules are checked row by row and failures collected, so one expect reports them all.
    const broken: string[] = [];
    const rule = (ok: boolean, name: string, row: readonly TpchValue[]): void => {
      if (!ok && broken.length < 10) broken.push(`${name}: ${JSON.stringify(row)}`);
    };
    for (const l of allRows('lineitem')) {
      const [key, part, , , qty, price, disc, tax, flag, status, ship, commit, receipt] = l as [
        number, number, number, number, string, string, string, string, string, string, number, number, number,
      ];
      const order = orders.get(key);
      if (order === undefined) {
        rule(false, 'line of a missing order', l);
        continue;
      }
      const orderDate = order[col('orders', 'o_orderdate')] as number;
      rule(Math.abs(Number(price) - Number(qty) * parts.get(part)!) < 0.005, 'extendedprice = quantity × retailprice', l);
      rule(Number(disc) >= 0 && Number(disc) <= 0.1, 'discount in 0.00..0.10', l);
      rule(Number(tax) >= 0 && Number(tax) <= 0.08, 'tax in 0.00..0.08', l);
      rule(ship - orderDate >= 1 && ship - orderDate <= 121, 'shipdate = orderdate + 1..121', l);
      rule(commit - orderDate >= 30 && commit - orderDate <= 90, 'commitdate = orderdate + 30..90', l);
      rule(receipt - ship >= 1 && receipt - ship <= 30, 'receiptdate = shipdate + 1..30', l);
      rule(receipt <= day('1998-12-31'), 'dates end in 1998', l);
      rule(status === (ship > current ? 'O' : 'F'), 'linestatus from shipdate', l);
      rule((flag === 'N') === receipt > current && 'RAN'.includes(flag), 'returnflag from receiptdate', l);
      linesPerOrder.set(key, [...(linesPerOrder.get(key) ?? []), l]);
    }
    for (const [key, order] of orders) {
      const lines = linesPerOrder.get(key) ?? [];
      rule(lines.length >= 1 && lines.length <= 7, '1..7 lines per order', order);
      const statuses = new Set(lines.map((l) => l[col('lineitem', 'l_linestatus')]));
      const expected = statuses.size === 2 ? 'P' : statuses.has('F') ? 'F' : 'O';
      rule(order[col('orders', 'o_orderstatus')] === expected, 'orderstatus from line statuses', order);
      rule((order[col('orders', 'o_custkey')] as number) % 3 !== 0, 'no orders for every third customer', order);
    }
    expect(broken).toEqual([]);
    // Sparse order keys: 8 used out of every 32.
    expect([...orders.keys()].slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 33, 34]);
  });

  test('value domains of the other tables', () => {
    const nation = allRows('nation');
    expect(nation.map((r) => r[1])).toContain('UNITED STATES');
    expect(allRows('region').map((r) => r[1])).toEqual(['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST']);
    for (const p of allRows('part')) {
      expect(String(p[col('part', 'p_name')]).split(' ')).toHaveLength(5);
      expect(p[col('part', 'p_brand')]).toMatch(/^Brand#[1-5][1-5]$/);
      expect(p[col('part', 'p_type')]).toMatch(/^(STANDARD|SMALL|MEDIUM|LARGE|ECONOMY|PROMO) [A-Z]+ [A-Z]+$/);
      expect(p[col('part', 'p_container')]).toMatch(/^(SM|LG|MED|JUMBO|WRAP) [A-Z]+$/);
    }
    for (const c of allRows('customer')) {
      expect(c[col('customer', 'c_phone')]).toMatch(new RegExp(`^${(c[3] as number) + 10}-\\d{3}-\\d{3}-\\d{4}$`));
      expect(Number(c[col('customer', 'c_acctbal')])).toBeGreaterThanOrEqual(-999.99);
      expect(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD']).toContain(c[col('customer', 'c_mktsegment')] as string);
    }
    const partsupp = allRows('partsupp');
    const suppliers = tpchCardinality('supplier', SF);
    expect(new Set(partsupp.map((r) => `${r[0]}|${r[1]}`)).size).toBe(partsupp.length);
    expect(partsupp.every((r) => (r[1] as number) >= 1 && (r[1] as number) <= suppliers)).toBe(true);
    const comments = allRows('orders').map((r) => String(r[col('orders', 'o_comment')]));
    expect(comments.some((c) => /special.*requests/.test(c))).toBe(true);
  });

  test('text forms of decimals and dates', () => {
    expect(centsToDecimal(-1250)).toBe('-12.50');
    expect(centsToDecimal(5)).toBe('0.05');
    expect(centsToDecimal(-5)).toBe('-0.05');
    expect(dayToIso(9298)).toBe('1995-06-17');
    expect(tpchDdl('nation')).toContain('n_nationkey integer NOT NULL');
    expect(tpchDdl('lineitem')).toContain('PRIMARY KEY (l_orderkey, l_linenumber)');
  });

  test('CSV files have a header and PostgreSQL text forms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpch-csv-'));
    try {
      const paths = writeTpchCsv(dir, { sf: SF, tables: ['region', 'orders'] });
      const lines = readFileSync(paths.orders!, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe(TPCH_COLUMNS.orders.map((c) => c.name).join(','));
      expect(lines).toHaveLength(tpchCardinality('orders', SF) + 1);
      expect(lines[1]).toMatch(/^1,\d+,[FOP],\d+\.\d\d,\d{4}-\d\d-\d\d,/);
      expect(readFileSync(paths.region!, 'utf8').split('\n')[1]).toMatch(/^0,AFRICA,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Arrow IPC batches carry the schema types and the same values as the rows', () => {
    const rows = allRows('lineitem', { sf: 0.001 });
    let seen = 0;
    for (const ipc of tpchArrowIpc('lineitem', { sf: 0.001, batchRows: 1000 })) {
      const t = tableFromIPC(ipc);
      expect(t.schema.fields.map((f) => String(f.type))).toEqual([
        'Int32', 'Int32', 'Int32', 'Int32', 'Decimal[15e+2]', 'Decimal[15e+2]', 'Decimal[15e+2]', 'Decimal[15e+2]',
        'Utf8', 'Utf8', 'Date32<DAY>', 'Date32<DAY>', 'Date32<DAY>', 'Utf8', 'Utf8', 'Utf8',
      ]);
      const price = t.getChild('l_extendedprice')!.data[0]!.values as Uint32Array;
      for (let i = 0; i < t.numRows; i++) {
        const r = rows[seen + i]!;
        expect(t.getChild('l_orderkey')!.get(i)).toBe(r[0] as number);
        expect(centsToDecimal(price[i * 4]!)).toBe(r[5] as string);
        expect(t.getChild('l_shipmode')!.get(i)).toBe(r[14] as string);
      }
      seen += t.numRows;
    }
    expect(seen).toBe(rows.length);
  });
});
