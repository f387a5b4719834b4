// Bulk loading of CSV and Parquet files into an existing table (`orbit import`).
import { createReadStream, statSync } from 'node:fs';
import { parse } from 'csv-parse';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { TableInfo } from '../../compiler/index.ts';
import { coerceValue } from './params.ts';
import type { Engine } from './engine.ts';
import { OrbitError } from './errors.ts';

export interface ImportProgress {
  readonly rows: number;
  /** Fraction done in [0, 1] (by bytes for CSV, by rows for Parquet). */
  readonly fraction: number;
}

export interface ImportOptions {
  readonly onProgress?: (p: ImportProgress) => void;
  /** Rows per storage write transaction. */
  readonly chunkRows?: number;
}

function tableOf(engine: Engine, name: string): TableInfo {
  const [schema, rel] = name.includes('.') ? (name.split('.', 2) as [string, string]) : [undefined, name];
  const info = engine.catalog.getRelation(schema, rel.toLowerCase());
  if (!info || info.kind !== 'table') throw new OrbitError('42P01', `relation "${name}" does not exist`);
  return info;
}

/** Maps file column names onto table ordinals; every file column must exist in the table. */
function mapColumns(table: TableInfo, names: readonly string[]): number[] {
  return names.map((n) => {
    const c = table.columns.find((col) => col.name === n || col.name === n.toLowerCase());
    if (!c) throw new OrbitError('42703', `column "${n}" of relation "${table.name}" does not exist`);
    return c.ordinal;
  });
}

async function load(engine: Engine, table: TableInfo, rows: AsyncIterable<unknown[]>, ordinals: readonly number[], o: ImportOptions, fraction: () => number): Promise<number> {
  const chunk = o.chunkRows ?? 50_000;
  let batch: unknown[][] = [];
  let total = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await engine.store.bulkInsert(table, batch);
    total += batch.length;
    batch = [];
    o.onProgress?.({ rows: total, fraction: fraction() });
  };
  for await (const raw of rows) {
    const values = new Array<unknown>(table.columns.length).fill(null);
    for (let i = 0; i < ordinals.length; i++) {
      const col = table.columns[ordinals[i]!]!;
      values[col.ordinal] = coerceValue(raw[i], col.type);
    }
    batch.push(values);
    if (batch.length >= chunk) await flush();
  }
  await flush();
  return total;
}

/** Loads a CSV file with a header row (RFC 4180; an unquoted empty field is NULL, as COPY … CSV reads it). */
export async function importCsv(engine: Engine, tableName: string, path: string, o: ImportOptions = {}): Promise<number> {
  const table = tableOf(engine, tableName);
  const size = Math.max(1, statSync(path).size);
  const input = createReadStream(path);
  let bytes = 0;
  input.on('data', (b) => (bytes += b.length));
  const parser = input.pipe(
    parse({
      relax_column_count: false,
      cast: (value, ctx) => (value === '' && !ctx.quoting ? null : value),
    }),
  );
  let header: string[] | undefined;
  let ordinals: number[] = [];
  async function* rows(): AsyncGenerator<unknown[]> {
    for await (const record of parser as AsyncIterable<(string | null)[]>) {
      if (!header) {
        header = record.map((h) => h ?? '');
        ordinals = mapColumns(table, header);
        continue;
      }
      yield record;
    }
  }
  const it = rows();
  const first = await it.next();
  if (first.done) return 0;
  async function* all(): AsyncGenerator<unknown[]> {
    yield first.value as unknown[];
    yield* it;
  }
  return load(engine, table, all(), ordinals, o, () => bytes / size);
}

/** Loads a Parquet file, row group by row group. */
export async function importParquet(engine: Engine, tableName: string, path: string, o: ImportOptions = {}): Promise<number> {
  const table = tableOf(engine, tableName);
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const names = metadata.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
  const ordinals = mapColumns(table, names);
  const totalRows = Number(metadata.num_rows);
  let done = 0;
  async function* rows(): AsyncGenerator<unknown[]> {
    let start = 0;
    for (const rg of metadata.row_groups) {
      const end = start + Number(rg.num_rows);
      const objects = (await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end })) as Record<string, unknown>[];
      for (const obj of objects) {
        done++;
        yield names.map((n) => obj[n]);
      }
      start = end;
    }
  }
  return load(engine, table, rows(), ordinals, o, () => done / Math.max(1, totalRows));
}
