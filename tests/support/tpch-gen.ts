// Deterministic TPC-H data generator (seeded, streaming) plus the schema DDL and the benchmark queries.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  DateDay,
  Decimal,
  Field,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType as ArrowType,
} from 'apache-arrow';

/*
 * Data follow the TPC-H specification (clause 4.2.3) closely enough that the standard queries
 * select what they select on dbgen's data: the same cardinalities, key formulas (sparse order
 * keys, the four suppliers of a part, customers with no orders), date rules, flag rules and
 * value domains. Comments are slices of a seeded text pool built from the spec's word classes
 * (as dbgen does), so LIKE predicates such as '%special%requests%' find rows.
 *
 * Every row is generated from its own seeded random stream, so any row range of any table can be
 * produced independently and the output does not depend on the chunk size. Generation is
 * columnar (typed arrays for numbers, string arrays for text); rows, CSV and Arrow are views.
 */

/** The eight TPC-H tables, in load order (referenced tables first). */
export const TPCH_TABLES = ['region', 'nation', 'part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem'] as const;
export type TpchTable = (typeof TPCH_TABLES)[number];

/** How a column is held in a generated batch. decimal: Int32Array of hundredths (scale 2). date: days since 1970-01-01. */
export type TpchColumnKind = 'int32' | 'decimal' | 'date' | 'text';

export interface TpchColumn {
  readonly name: string;
  readonly kind: TpchColumnKind;
  /** PostgreSQL type used in the DDL. */
  readonly sqlType: string;
}

const int = (name: string): TpchColumn => ({ name, kind: 'int32', sqlType: 'integer' });
const money = (name: string): TpchColumn => ({ name, kind: 'decimal', sqlType: 'decimal(15,2)' });
const day = (name: string): TpchColumn => ({ name, kind: 'date', sqlType: 'date' });
const text = (name: string, n: number): TpchColumn => ({ name, kind: 'text', sqlType: `varchar(${n})` });

/**
 * Column lists in schema order. Fixed-width CHAR(n) columns of the spec are declared varchar(n):
 * the values never carry trailing blanks, and varchar avoids bpchar's padding semantics, which
 * DuckDB does not implement.
 */
export const TPCH_COLUMNS: Readonly<Record<TpchTable, readonly TpchColumn[]>> = {
  region: [int('r_regionkey'), text('r_name', 25), text('r_comment', 152)],
  nation: [int('n_nationkey'), text('n_name', 25), int('n_regionkey'), text('n_comment', 152)],
  part: [
    int('p_partkey'), text('p_name', 55), text('p_mfgr', 25), text('p_brand', 10), text('p_type', 25),
    int('p_size'), text('p_container', 10), money('p_retailprice'), text('p_comment', 23),
  ],
  supplier: [
    int('s_suppkey'), text('s_name', 25), text('s_address', 40), int('s_nationkey'), text('s_phone', 15),
    money('s_acctbal'), text('s_comment', 101),
  ],
  partsupp: [int('ps_partkey'), int('ps_suppkey'), int('ps_availqty'), money('ps_supplycost'), text('ps_comment', 199)],
  customer: [
    int('c_custkey'), text('c_name', 25), text('c_address', 40), int('c_nationkey'), text('c_phone', 15),
    money('c_acctbal'), text('c_mktsegment', 10), text('c_comment', 117),
  ],
  orders: [
    int('o_orderkey'), int('o_custkey'), text('o_orderstatus', 1), money('o_totalprice'), day('o_orderdate'),
    text('o_orderpriority', 15), text('o_clerk', 15), int('o_shippriority'), text('o_comment', 79),
  ],
  lineitem: [
    int('l_orderkey'), int('l_partkey'), int('l_suppkey'), int('l_linenumber'), money('l_quantity'),
    money('l_extendedprice'), money('l_discount'), money('l_tax'), text('l_returnflag', 1), text('l_linestatus', 1),
    day('l_shipdate'), day('l_commitdate'), day('l_receiptdate'), text('l_shipinstruct', 25), text('l_shipmode', 10),
    text('l_comment', 44),
  ],
};

const PRIMARY_KEYS: Readonly<Record<TpchTable, readonly string[]>> = {
  region: ['r_regionkey'],
  nation: ['n_nationkey'],
  part: ['p_partkey'],
  supplier: ['s_suppkey'],
  partsupp: ['ps_partkey', 'ps_suppkey'],
  customer: ['c_custkey'],
  orders: ['o_orderkey'],
  lineitem: ['l_orderkey', 'l_linenumber'],
};

/** `CREATE TABLE` text for a table, valid in PostgreSQL, DuckDB and Orbit. */
export function tpchDdl(table: TpchTable, withPrimaryKey = true): string {
  const cols = TPCH_COLUMNS[table].map((c) => `  ${c.name} ${c.sqlType} NOT NULL`);
  if (withPrimaryKey) cols.push(`  PRIMARY KEY (${PRIMARY_KEYS[table].join(', ')})`);
  return `CREATE TABLE ${table} (\n${cols.join(',\n')}\n)`;
}

/** Rows per table at scale factor `sf` (lineitem is the expected value; the exact count depends on the seed). */
export function tpchCardinality(table: TpchTable, sf: number): number {
  switch (table) {
    case 'region': return 5;
    case 'nation': return 25;
    case 'part': return scaled(200_000, sf);
    case 'supplier': return scaled(10_000, sf);
    case 'partsupp': return scaled(200_000, sf) * 4;
    case 'customer': return scaled(150_000, sf);
    case 'orders': return scaled(1_500_000, sf);
    case 'lineitem': return scaled(1_500_000, sf) * 4;
  }
}

const scaled = (base: number, sf: number): number => Math.max(1, Math.floor(base * sf));

/** One generated batch: `columns[i]` holds column i of `TPCH_COLUMNS[table]`. */
export interface TpchBatch {
  readonly table: TpchTable;
  readonly length: number;
  readonly columns: readonly (Int32Array | string[])[];
}

export interface TpchOptions {
  /** Scale factor: 1 gives 6M lineitem rows. */
  readonly sf: number;
  /** PRNG seed; the same seed gives the same data. Default 1. */
  readonly seed?: number;
  /** Rows per batch (lineitem batches end on an order boundary, so they may be a little larger). Default 65536. */
  readonly batchRows?: number;
}

/** A row value in the IR conventions of compiler/ir/types.ts: int32 → number, decimal → canonical string, date → days, text → string. */
export type TpchValue = number | string;

// ---------------------------------------------------------------------------------------------
// Random streams

/** Finalizer of MurmurHash3: a good 32-bit mix, used to derive one stream per (table, row). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** mulberry32: tiny, fast, and good enough for test data. */
class Rng {
  private s = 0;

  reseed(seed: number, stream: number, row: number): this {
    this.s = mix32(mix32(seed ^ Math.imul(stream, 0x9e3779b9)) ^ mix32(row + 0x632be5ab));
    return this;
  }

  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

const STREAM: Readonly<Record<TpchTable, number>> = {
  region: 1, nation: 2, part: 3, supplier: 4, partsupp: 5, customer: 6, orders: 7, lineitem: 7,
};

// ---------------------------------------------------------------------------------------------
// Fixed lists of the specification (clause 4.2.2.13 and 4.2.3)

const REGIONS = ['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST'];
const NATIONS: readonly (readonly [string, number])[] = [
  ['ALGERIA', 0], ['ARGENTINA', 1], ['BRAZIL', 1], ['CANADA', 1], ['EGYPT', 4], ['ETHIOPIA', 0], ['FRANCE', 3],
  ['GERMANY', 3], ['INDIA', 2], ['INDONESIA', 2], ['IRAN', 4], ['IRAQ', 4], ['JAPAN', 2], ['JORDAN', 4], ['KENYA', 0],
  ['MOROCCO', 0], ['MOZAMBIQUE', 0], ['PERU', 1], ['CHINA', 2], ['ROMANIA', 3], ['SAUDI ARABIA', 4], ['VIETNAM', 2],
  ['RUSSIA', 3], ['UNITED KINGDOM', 3], ['UNITED STATES', 1],
];
const COLORS = (
  'almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished chartreuse ' +
  'chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab firebrick floral forest frosted ' +
  'gainsboro ghost goldenrod green grey honeydew hot indian ivory khaki lace lavender lawn lemon light lime linen ' +
  'magenta maroon medium metallic midnight mint misty moccasin navajo navy olive orange orchid pale papaya peach ' +
  'peru pink plum powder puff purple red rose rosy royal saddle salmon sandy seashell sienna sky slate smoke snow ' +
  'spring steel tan thistle tomato turquoise violet wheat white yellow'
).split(' ');
const TYPE_S1 = ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'];
const TYPE_S2 = ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'];
const TYPE_S3 = ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'];
const CONTAINER_S1 = ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'];
const CONTAINER_S2 = ['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM'];
const SEGMENTS = ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'];
const PRIORITIES = ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'];
const INSTRUCTIONS = ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'];
const MODES = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'];

const NOUNS = (
  'foxes ideas theodolites pinto beans instructions dependencies excuses platelets asymptotes courts dolphins ' +
  'multipliers sauternes warthogs frets dinos attainments somas Tiresias patterns forges braids hockey players frays ' +
  'warhorses dugouts notornis epitaphs pearls tithes waters orbits gifts sheaves depths sentiments decoys realms ' +
  'pains grouches escapades packages requests accounts deposits'
).split(' ');
const VERBS = (
  'sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was lose sublate solve thrash ' +
  'promise engage hinder print x-ray breach eat grow impress mold poach serve run dazzle snooze doze unwind kindle ' +
  'play hang believe doubt'
).split(' ');
const ADJECTIVES = (
  'furious sly careful blithe quick fluffy slow quiet ruthless thin close dogged daring brave stealthy permanent ' +
  'enticing idle busy regular final ironic even bold silent special pending unusual express'
).split(' ');
const ADVERBS = (
  'sometimes always never furiously slyly carefully blithely quickly fluffily slowly quietly ruthlessly thinly ' +
  'closely doggedly daringly bravely stealthily permanently enticingly idly busily regularly finally ironically ' +
  'evenly boldly silently'
).split(' ');
const PREPOSITIONS = (
  'about above across after against along among around at atop before behind beneath beside besides between ' +
  'beyond by despite during except for from inside into near of on outside over past since through throughout to ' +
  'toward under until up upon without with within'
).split(' ');
const TERMINATORS = ['.', ';', ':', '?', '!', '--'];

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

// ---------------------------------------------------------------------------------------------
// Dates (days since 1970-01-01)

const dayOf = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 86_400_000;
const START_DATE = dayOf(1992, 1, 1);
const END_DATE = dayOf(1998, 12, 31);
/** The spec's CURRENTDATE: decides line status and return flags. */
const CURRENT_DATE = dayOf(1995, 6, 17);

// ---------------------------------------------------------------------------------------------
// Text pools: comments and addresses are slices of these, as in dbgen

const POOL_SIZE = 1 << 20;
const pools = new Map<number, { words: string; alnum: string }>();

function textPools(seed: number): { words: string; alnum: string } {
  const cached = pools.get(seed);
  if (cached) return cached;
  const rng = new Rng().reseed(seed, 99, 0);
  const parts: string[] = [];
  let size = 0;
  while (size < POOL_SIZE + 256) {
    const sentence = sentenceOf(rng);
    parts.push(sentence);
    size += sentence.length + 1;
  }
  const chars = new Uint8Array(POOL_SIZE + 64);
  for (let i = 0; i < chars.length; i++) chars[i] = ALNUM.charCodeAt(rng.int(0, ALNUM.length - 1));
  const made = { words: parts.join(' '), alnum: new TextDecoder().decode(chars) };
  pools.set(seed, made);
  return made;
}

/** One sentence of the spec's grammar, simplified: noun phrase, verb phrase, optional prepositional phrase. */
function sentenceOf(rng: Rng): string {
  const np = rng.next() < 0.5 ? `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}` : `${rng.pick(ADJECTIVES)}, ${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
  const vp = rng.next() < 0.5 ? rng.pick(VERBS) : `${rng.pick(VERBS)} ${rng.pick(ADVERBS)}`;
  const pp = rng.next() < 0.5 ? ` ${rng.pick(PREPOSITIONS)} the ${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}` : '';
  return `${np} ${vp}${pp}${rng.pick(TERMINATORS)}`;
}

/** A comment of random length in [lo, hi] (dbgen: a random slice of the text pool, trimmed). */
function comment(rng: Rng, pool: string, lo: number, hi: number): string {
  let at = rng.int(0, POOL_SIZE - 1);
  let end = at + rng.int(lo, hi);
  // Trim by moving the bounds (32 = space): one slice, no second copy.
  while (pool.charCodeAt(at) === 32) at++;
  while (end > at && pool.charCodeAt(end - 1) === 32) end--;
  return pool.slice(at, end);
}

const pad9 = (n: number): string => String(n).padStart(9, '0');

const phone = (rng: Rng, nation: number): string =>
  `${nation + 10}-${rng.int(100, 999)}-${rng.int(100, 999)}-${rng.int(1000, 9999)}`;

/** p_retailprice in hundredths, the spec's formula of the part key. */
const retailCents = (partkey: number): number => 90_000 + (Math.floor(partkey / 10) % 20_001) + 100 * (partkey % 1000);

/** The i-th (0..3) supplier of a part (spec clause 4.2.3, PS_SUPPKEY). */
function partSupplier(partkey: number, i: number, suppliers: number): number {
  return ((partkey + i * (Math.floor(suppliers / 4) + Math.floor((partkey - 1) / suppliers))) % suppliers) + 1;
}

/** The sparse order key: only the first 8 of every 32 keys are used, as in dbgen. */
const orderKey = (index: number): number => Math.floor(index / 8) * 32 + (index % 8) + 1;

// ---------------------------------------------------------------------------------------------
// Columnar builders

class Columns {
  readonly cols: (Int32Array | string[])[];
  length = 0;

  constructor(table: TpchTable, capacity: number) {
    this.cols = TPCH_COLUMNS[table].map((c) => (c.kind === 'text' ? [] : new Int32Array(capacity)));
  }

  num(i: number, v: number): void {
    (this.cols[i] as Int32Array)[this.length] = v;
  }

  /** Rows are filled in order, so text columns grow by push (the fast path for arrays). */
  str(i: number, v: string): void {
    (this.cols[i] as string[]).push(v);
  }

  /** Trims typed arrays to the rows written. */
  finish(table: TpchTable): TpchBatch {
    const columns = this.cols.map((c) => (c instanceof Int32Array ? c.subarray(0, this.length) : c));
    return { table, length: this.length, columns };
  }
}

interface Ctx {
  readonly seed: number;
  readonly sf: number;
  readonly rng: Rng;
  readonly pool: { words: string; alnum: string };
  readonly parts: number;
  readonly suppliers: number;
  readonly customers: number;
  /** o_clerk values, built once: SF × 1000 clerks. */
  readonly clerks: readonly string[];
}

function fillRegion(ctx: Ctx, out: Columns, row: number): void {
  const rng = ctx.rng.reseed(ctx.seed, STREAM.region, row);
  out.num(0, row);
  out.str(1, REGIONS[row]!);
  out.str(2, comment(rng, ctx.pool.words, 31, 115));
}

function fillNation(ctx: Ctx, out: Columns, row: number): void {
  const rng = ctx.rng.reseed(ctx.seed, STREAM.nation, row);
  const [name, region] = NATIONS[row]!;
  out.num(0, row);
  out.str(1, name);
  out.num(2, region);
  out.str(3, comment(rng, ctx.pool.words, 31, 114));
}

function fillPart(ctx: Ctx, out: Columns, row: number): void {
  const rng = ctx.rng.reseed(ctx.seed, STREAM.part, row);
  const key = row + 1;
  const names: string[] = [];
  while (names.length < 5) {
    const c = rng.pick(COLORS);
    if (!names.includes(c)) names.push(c);
  }
  const m = rng.int(1, 5);
  out.num(0, key);
  out.str(1, names.join(' '));
  out.str(2, `Manufacturer#${m}`);
  out.str(3, `Brand#${m}${rng.int(1, 5)}`);
  out.str(4, `${rng.pick(TYPE_S1)} ${rng.pick(TYPE_S2)} ${rng.pick(TYPE_S3)}`);
  out.num(5, rng.int(1, 50));
  out.str(6, `${rng.pick(CONTAINER_S1)} ${rng.pick(CONTAINER_S2)}`);
  out.num(7, retailCents(key));
  out.str(8, comment(rng, ctx.pool.words, 5, 22));
}

function fillSupplier(ctx: Ctx, out: Columns, row: number): void {
  const rng = ctx.rng.reseed(ctx.seed, STREAM.supplier, row);
  const key = row + 1;
  const nation = rng.int(0, 24);
  out.num(0, key);
  out.str(1, `Supplier#${pad9(key)}`);
  out.str(2, comment(rng, ctx.pool.alnum, 10, 40));
  out.num(3, nation);
  out.str(4, phone(rng, nation));
  out.num(5, rng.int(-99_999, 999_999));
  // Q16 looks for '%Customer%Complaints%': the spec plants it (and "Recommends") in 10 of every 10,000 suppliers.
  let c = comment(rng, ctx.pool.words, 25, 100);
  const special = rng.int(1, 10_000);
  if (special <= 10) c = `${c.slice(0, 40)} Customer ${special <= 5 ? 'Complaints' : 'Recommends'}`;
  out.str(6, c);
}

function fillPartsupp(ctx: Ctx, out: Columns, row: number): void {
  const rng = ctx.rng.reseed(ctx.seed, STREAM.partsupp, row);
  const part = Math.floor(row / 4) + 1;
  out.num(0, part);
  out.num(1, partSupplier(part, row % 4, ctx.suppliers));
  out.num(2, rng.int(1, 9999));
  out.num(3, rng.int(100, 100_000));
  out.str(4, comment(rng, ctx.pool.words, 49, 198));
}

function fillCustomer(ctx: Ctx, out: Columns, row: number): void {
  const rng = ctx.rng.reseed(ctx.seed, STREAM.customer, row);
  const key = row + 1;
  const nation = rng.int(0, 24);
  out.num(0, key);
  out.str(1, `Customer#${pad9(key)}`);
  out.str(2, comment(rng, ctx.pool.alnum, 10, 40));
  out.num(3, nation);
  out.str(4, phone(rng, nation));
  out.num(5, rng.int(-99_999, 999_999));
  out.str(6, rng.pick(SEGMENTS));
  out.str(7, comment(rng, ctx.pool.words, 29, 116));
}

/** Generates order `index` and its lines; appends to whichever outputs are given. */
function fillOrder(ctx: Ctx, orders: Columns | undefined, lines: Columns | undefined, index: number): void {
  const rng = ctx.rng.reseed(ctx.seed, STREAM.orders, index);
  const key = orderKey(index);
  let cust = rng.int(1, ctx.customers);
  // A third of the customers place no orders (Q13, Q22 rely on it).
  while (cust % 3 === 0 && ctx.customers > 2) cust = rng.int(1, ctx.customers);
  const orderDate = rng.int(START_DATE, END_DATE - 151);
  const priority = rng.pick(PRIORITIES);
  const clerk = ctx.clerks[rng.int(0, ctx.clerks.length - 1)]!;
  const orderComment = comment(rng, ctx.pool.words, 19, 78);
  const n = rng.int(1, 7);
  let total = 0;
  let shipped = 0;
  for (let ln = 1; ln <= n; ln++) {
    const part = rng.int(1, ctx.parts);
    const supp = partSupplier(part, rng.int(0, 3), ctx.suppliers);
    const qty = rng.int(1, 50);
    const price = qty * retailCents(part);
    const disc = rng.int(0, 10);
    const tax = rng.int(0, 8);
    const ship = orderDate + rng.int(1, 121);
    const commit = orderDate + rng.int(30, 90);
    const receipt = ship + rng.int(1, 30);
    const returnFlag = receipt <= CURRENT_DATE ? (rng.next() < 0.5 ? 'R' : 'A') : 'N';
    const lineStatus = ship > CURRENT_DATE ? 'O' : 'F';
    const instruct = rng.pick(INSTRUCTIONS);
    const mode = rng.pick(MODES);
    const lineComment = comment(rng, ctx.pool.words, 10, 43);
    total += Math.round((price * (100 + tax) * (100 - disc)) / 10_000);
    if (lineStatus === 'F') shipped++;
    if (lines) {
      lines.num(0, key);
      lines.num(1, part);
      lines.num(2, supp);
      lines.num(3, ln);
      lines.num(4, qty * 100);
      lines.num(5, price);
      lines.num(6, disc);
      lines.num(7, tax);
      lines.str(8, returnFlag);
      lines.str(9, lineStatus);
      lines.num(10, ship);
      lines.num(11, commit);
      lines.num(12, receipt);
      lines.str(13, instruct);
      lines.str(14, mode);
      lines.str(15, lineComment);
      lines.length++;
    }
  }
  if (orders) {
    orders.num(0, key);
    orders.num(1, cust);
    orders.str(2, shipped === n ? 'F' : shipped === 0 ? 'O' : 'P');
    orders.num(3, total);
    orders.num(4, orderDate);
    orders.str(5, priority);
    orders.str(6, clerk);
    orders.num(7, 0);
    orders.str(8, orderComment);
    orders.length++;
  }
}

const FILL: Readonly<Record<Exclude<TpchTable, 'orders' | 'lineitem'>, (ctx: Ctx, out: Columns, row: number) => void>> = {
  region: fillRegion,
  nation: fillNation,
  part: fillPart,
  supplier: fillSupplier,
  partsupp: fillPartsupp,
  customer: fillCustomer,
};

/**
 * Streams one table as columnar batches. Only one batch is alive at a time (plus the 2 MB text
 * pools), so SF 1 lineitem streams in bounded memory.
 */
export function* tpchBatches(table: TpchTable, opts: TpchOptions): Generator<TpchBatch> {
  const seed = opts.seed ?? 1;
  const batchRows = opts.batchRows ?? 65_536;
  const ctx: Ctx = {
    seed,
    sf: opts.sf,
    rng: new Rng(),
    pool: textPools(seed),
    parts: tpchCardinality('part', opts.sf),
    suppliers: tpchCardinality('supplier', opts.sf),
    customers: tpchCardinality('customer', opts.sf),
    clerks: Array.from({ length: Math.max(1, Math.floor(opts.sf * 1000)) }, (_, i) => `Clerk#${pad9(i + 1)}`),
  };
  if (table === 'orders' || table === 'lineitem') {
    const orders = tpchCardinality('orders', opts.sf);
    // A lineitem batch ends on an order boundary; leave room for one order's 7 lines.
    const capacity = table === 'orders' ? batchRows : batchRows + 7;
    for (let start = 0; start < orders; ) {
      const out = new Columns(table, capacity);
      let i = start;
      for (; i < orders && out.length < batchRows; i++) {
        if (table === 'orders') fillOrder(ctx, out, undefined, i);
        else fillOrder(ctx, undefined, out, i);
      }
      start = i;
      yield out.finish(table);
    }
    return;
  }
  const fill = FILL[table];
  const total = tpchCardinality(table, opts.sf);
  for (let start = 0; start < total; start += batchRows) {
    const n = Math.min(batchRows, total - start);
    const out = new Columns(table, n);
    for (let r = 0; r < n; r++) {
      fill(ctx, out, start + r);
      out.length++;
    }
    yield out.finish(table);
  }
}

// ---------------------------------------------------------------------------------------------
// Views: rows, CSV, Arrow IPC

/** Canonical decimal text of a scale-2 value held in hundredths (`-12.50`, `0.05`). */
export function centsToDecimal(cents: number): string {
  const neg = cents < 0;
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = abs % 100;
  return `${neg ? '-' : ''}${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

const isoCache = new Map<number, string>();

/** ISO text (`1995-06-17`) of a day number (memoized: TPC-H uses about 2,600 distinct dates). */
export function dayToIso(days: number): string {
  let iso = isoCache.get(days);
  if (iso === undefined) {
    iso = new Date(days * 86_400_000).toISOString().slice(0, 10);
    isoCache.set(days, iso);
  }
  return iso;
}

/** Streams a table as chunks of rows (columns in schema order, values in the IR conventions). */
export function* tpchRows(table: TpchTable, opts: TpchOptions): Generator<TpchValue[][]> {
  const kinds = TPCH_COLUMNS[table].map((c) => c.kind);
  for (const batch of tpchBatches(table, opts)) {
    const rows: TpchValue[][] = new Array(batch.length);
    for (let r = 0; r < batch.length; r++) {
      const row: TpchValue[] = new Array(kinds.length);
      for (let c = 0; c < kinds.length; c++) {
        const col = batch.columns[c]!;
        row[c] = kinds[c] === 'decimal' ? centsToDecimal((col as Int32Array)[r]!) : col[r]!;
      }
      rows[r] = row;
    }
    yield rows;
  }
}

const csvField = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/**
 * Writes `<dir>/<table>.csv` for each table (a header row, then PostgreSQL's text forms: decimals
 * as `12.50`, dates as `1995-06-17`), streaming. Returns the paths by table.
 */
export function writeTpchCsv(dir: string, opts: TpchOptions & { readonly tables?: readonly TpchTable[] }): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const paths: Record<string, string> = {};
  // Small batches keep the garbage of each write small; JSC's heap otherwise grows by hundreds of MB.
  const batchRows = Math.min(opts.batchRows ?? 8192, 8192);
  for (const table of opts.tables ?? TPCH_TABLES) {
    const path = join(dir, `${table}.csv`);
    const fd = openSync(path, 'w');
    try {
      const cols = TPCH_COLUMNS[table];
      writeSync(fd, `${cols.map((c) => c.name).join(',')}\n`);
      for (const batch of tpchBatches(table, { ...opts, batchRows })) {
        let out = '';
        for (let r = 0; r < batch.length; r++) {
          for (let c = 0; c < cols.length; c++) {
            const v = batch.columns[c]![r]!;
            const kind = cols[c]!.kind;
            if (c > 0) out += ',';
            out +=
              kind === 'text' ? csvField(v as string)
              : kind === 'decimal' ? centsToDecimal(v as number)
              : kind === 'date' ? dayToIso(v as number)
              : String(v);
          }
          out += '\n';
        }
        writeSync(fd, out);
      }
    } finally {
      closeSync(fd);
    }
    paths[table] = path;
  }
  return paths;
}

function arrowTypeOf(kind: TpchColumnKind): ArrowType {
  switch (kind) {
    case 'int32': return new Int32();
    case 'decimal': return new Decimal(2, 15, 128);
    case 'date': return new DateDay();
    case 'text': return new Utf8();
  }
}

/** The Arrow schema of a table: int32, decimal128(15,2), date32 and utf8 columns, all non-null. */
export function tpchArrowSchema(table: TpchTable): Schema {
  return new Schema(TPCH_COLUMNS[table].map((c) => new Field(c.name, arrowTypeOf(c.kind), false)));
}

/** Sign-extends hundredths into the four little-endian 32-bit words of a 128-bit decimal. */
function decimalWords(cents: Int32Array): Uint32Array {
  const words = new Uint32Array(cents.length * 4);
  for (let i = 0; i < cents.length; i++) {
    const v = cents[i]!;
    const hi = v < 0 ? 0xffffffff : 0;
    words[i * 4] = v >>> 0;
    words[i * 4 + 1] = hi;
    words[i * 4 + 2] = hi;
    words[i * 4 + 3] = hi;
  }
  return words;
}

const encoder = new TextEncoder();

/**
 * A Utf8 column built in one pass: the strings are joined and encoded once, and because generated
 * text is ASCII the offsets are the running string lengths (checked; any other text is encoded per value).
 */
function utf8Data(values: readonly string[]): Data<Utf8> {
  const joined = values.join('');
  const bytes = encoder.encode(joined);
  if (bytes.length !== joined.length) return vectorFromArray(values, new Utf8()).data[0]!;
  const offsets = new Int32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) offsets[i + 1] = offsets[i]! + values[i]!.length;
  return makeData({ type: new Utf8(), length: values.length, valueOffsets: offsets, data: bytes });
}

/** One generated batch as an Arrow RecordBatch (apache-arrow of this repo). */
export function tpchRecordBatch(batch: TpchBatch): RecordBatch {
  const schema = tpchArrowSchema(batch.table);
  const kinds = TPCH_COLUMNS[batch.table].map((c) => c.kind);
  const children: Data[] = kinds.map((kind, i) => {
    const col = batch.columns[i]!;
    switch (kind) {
      case 'int32': return makeData({ type: new Int32(), length: batch.length, data: col as Int32Array });
      case 'date': return makeData({ type: new DateDay(), length: batch.length, data: col as Int32Array });
      case 'decimal': return makeData({ type: new Decimal(2, 15, 128), length: batch.length, data: decimalWords(col as Int32Array) });
      case 'text': return utf8Data(col as string[]);
    }
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.length, children }));
}

/**
 * Streams a table as Arrow IPC stream bytes, one self-contained stream (schema + one batch) per
 * chunk: the form duckdb-wasm's `insertArrowFromIPCStream` takes (it bundles its own Arrow
 * version, so objects cannot cross, bytes can).
 */
export function* tpchArrowIpc(table: TpchTable, opts: TpchOptions): Generator<Uint8Array> {
  for (const batch of tpchBatches(table, opts)) yield tableToIPC(new Table([tpchRecordBatch(batch)]), 'stream');
}

// ---------------------------------------------------------------------------------------------
// Queries (the spec's text with its validation substitution parameters)

/** The benchmark queries, PostgreSQL syntax, validation parameters of the spec. */
export const TPCH_QUERIES: Readonly<Record<'q1' | 'q3' | 'q5' | 'q6' | 'q10' | 'q12' | 'q14' | 'q19', string>> = {
  q1: `SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
  sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
  sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
  avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
FROM lineitem
WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90 days'
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`,
  q3: `SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority
FROM customer, orders, lineitem
WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
  AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'
GROUP BY l_orderkey, o_orderdate, o_shippriority
ORDER BY revenue DESC, o_orderdate
LIMIT 10`,
  q5: `SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM customer, orders, lineitem, supplier, nation, region
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
  AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey
  AND r_name = 'ASIA' AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1994-01-01' + INTERVAL '1 year'
GROUP BY n_name
ORDER BY revenue DESC`,
  q6: `SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1994-01-01' + INTERVAL '1 year'
  AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24`,
  q10: `SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue, c_acctbal, n_name, c_address,
  c_phone, c_comment
FROM customer, orders, lineitem, nation
WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND o_orderdate >= DATE '1993-10-01'
  AND o_orderdate < DATE '1993-10-01' + INTERVAL '3 months' AND l_returnflag = 'R' AND c_nationkey = n_nationkey
GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
ORDER BY revenue DESC
LIMIT 20`,
  q12: `SELECT l_shipmode,
  sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END) AS high_line_count,
  sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END) AS low_line_count
FROM orders, lineitem
WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate
  AND l_shipdate < l_commitdate AND l_receiptdate >= DATE '1994-01-01'
  AND l_receiptdate < DATE '1994-01-01' + INTERVAL '1 year'
GROUP BY l_shipmode
ORDER BY l_shipmode`,
  q14: `SELECT 100.00 * sum(CASE WHEN p_type LIKE 'PROMO%' THEN l_extendedprice * (1 - l_discount) ELSE 0 END)
  / sum(l_extendedprice * (1 - l_discount)) AS promo_revenue
FROM lineitem, part
WHERE l_partkey = p_partkey AND l_shipdate >= DATE '1995-09-01' AND l_shipdate < DATE '1995-09-01' + INTERVAL '1 month'`,
  q19: `SELECT sum(l_extendedprice * (1 - l_discount)) AS revenue
FROM lineitem, part
WHERE (p_partkey = l_partkey AND p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
    AND l_quantity >= 1 AND l_quantity <= 1 + 10 AND p_size BETWEEN 1 AND 5
    AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
  OR (p_partkey = l_partkey AND p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG', 'MED PACK')
    AND l_quantity >= 10 AND l_quantity <= 10 + 10 AND p_size BETWEEN 1 AND 10
    AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')
  OR (p_partkey = l_partkey AND p_brand = 'Brand#34' AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
    AND l_quantity >= 20 AND l_quantity <= 20 + 10 AND p_size BETWEEN 1 AND 15
    AND l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON')`,
};
