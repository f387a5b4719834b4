// The plan cache: key normalization, LRU bound, catalog-version invalidation, and prepared statements through the pipeline.

import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { catalogFromSchema } from '../../compiler/catalog/from-schema.ts';
import type { Catalog } from '../../compiler/catalog/index.ts';
import { normalizeSql, PlanCache, type PreparedEntry } from '../../compiler/plan-cache.ts';
import { TPCH_SF1_STATS } from '../fixtures/tpch/stats.ts';

const entry = (version: number, tag: string): PreparedEntry => ({
  query: { plan: { kind: 'values', rows: [], schema: [{ id: 1, name: tag, type: { kind: 'int32' }, nullable: false }], est: { rows: 1, cost: 0 } }, subplans: {}, params: [] },
  paramTypes: [],
  schema: [],
  catalogVersion: version,
});

const withVersion = (version: number): Catalog => ({ version, searchPath: ['public'], getRelation: () => undefined, listRelations: () => [] });

describe('normalizeSql', () => {
  test('collapses whitespace and comments and folds unquoted words, keeping literals and quoted names', () => {
    expect(normalizeSql("SELECT  *\n FROM Orders -- all\n WHERE o_Comment = 'Hello  World' /* c */ AND \"MixedCase\" = $1;")).toBe(
      'select * from orders where o_comment = \'Hello  World\' and "MixedCase" = $1',
    );
    expect(normalizeSql('select 1')).not.toBe(normalizeSql('select 2'));
  });
});

describe('PlanCache', () => {
  test('hits for the same normalized text, misses for another language or text', () => {
    const cache = new PlanCache();
    const cat = withVersion(1);
    cache.set('sql', 'SELECT 1', entry(1, 'a'));
    expect(cache.get('sql', 'select   1 ;', cat)?.query.plan.schema[0]!.name).toBe('a');
    expect(cache.get('cql', 'select 1', cat)).toBeUndefined();
    expect(cache.get('sql', 'select 2', cat)).toBeUndefined();
    expect(cache.stats).toEqual({ hits: 1, misses: 2, evictions: 0, invalidations: 0 });
  });

  test('an entry made against an older catalog version is dropped', () => {
    const cache = new PlanCache();
    cache.set('sql', 'select 1', entry(1, 'a'));
    expect(cache.get('sql', 'select 1', withVersion(2))).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.stats.invalidations).toBe(1);
  });

  test('evicts the least recently used entry beyond its capacity', () => {
    const cache = new PlanCache(2);
    const cat = withVersion(1);
    cache.set('sql', 'select 1', entry(1, 'one'));
    cache.set('sql', 'select 2', entry(1, 'two'));
    expect(cache.get('sql', 'select 1', cat)).toBeDefined();
    cache.set('sql', 'select 3', entry(1, 'three'));
    expect(cache.get('sql', 'select 2', cat)).toBeUndefined();
    expect(cache.get('sql', 'select 1', cat)).toBeDefined();
    expect(cache.get('sql', 'select 3', cat)).toBeDefined();
    expect(cache.stats.evictions).toBe(1);
  });

  test('prepareSql compiles once, then serves the prepared plan with its parameter types', () => {
    const { catalog } = catalogFromSchema(readFileSync(new URL('../fixtures/tpch/schema.sql', import.meta.url), 'utf8'), TPCH_SF1_STATS);
    const cache = new PlanCache();
    const first = cache.prepareSql('SELECT o_totalprice FROM orders WHERE o_orderkey = $1', catalog);
    expect(first.diagnostics).toEqual([]);
    expect(first.entry?.paramTypes.map((t) => t.kind)).toEqual(['int32']);
    expect(first.entry?.query.plan.kind).toBe('index-scan');
    const second = cache.prepareSql('select o_totalprice from orders where o_orderkey = $1', catalog);
    expect(second.entry).toBe(first.entry!);
    expect(cache.stats.hits).toBe(1);
    const bad = cache.prepareSql('SELECT nope FROM orders', catalog);
    expect(bad.entry).toBeUndefined();
    expect(bad.diagnostics[0]?.code).toBe('undefined_column');
    expect(cache.size).toBe(1);
  });
});
