// `orbit import`: loads a CSV (with header) or Parquet file into an existing table, with a progress bar.
import { extname } from 'node:path';
import { Engine, toOrbitError } from '../../index.ts';
import { importCsv, importParquet, type ImportProgress } from '../../engine/import.ts';
import { UsageError, type Command } from '../command.ts';
import { formatError } from './sql.ts';

function progressBar(p: ImportProgress): string {
  const width = 30;
  const filled = Math.round(Math.min(1, p.fraction) * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}%  ${p.rows.toLocaleString('en-US')} rows`;
}

export const importCommand: Command = {
  name: 'import',
  summary: 'Load a CSV or Parquet file into a table',
  usage: '--data <dir> <table> <file.csv|file.parquet>',
  options: {
    data: { type: 'string', short: 'd', description: 'Data directory (default ./data or $ORBIT_DATA)', valueName: 'dir' },
  },
  notes: 'CSV files need a header row naming table columns; an unquoted empty field is NULL. A progress bar is drawn when stderr is a terminal.',
  async run(args) {
    const [table, file] = args.positionals;
    if (!table || !file) throw new UsageError('expected a table name and a file');
    const ext = extname(file).toLowerCase();
    if (ext !== '.csv' && ext !== '.parquet') throw new UsageError(`cannot import "${file}": expected a .csv or .parquet file`);
    const dataDir = (args.values['data'] as string | undefined) ?? process.env['ORBIT_DATA'] ?? './data';
    const engine = await Engine.open({ dataDir });
    const tty = process.stderr.isTTY === true;
    const onProgress = tty ? (p: ImportProgress) => process.stderr.write(progressBar(p)) : undefined;
    try {
      const started = performance.now();
      const rows = await (ext === '.csv' ? importCsv : importParquet)(engine, table, file, onProgress ? { onProgress } : {});
      if (tty) process.stderr.write('\n');
      console.log(`imported ${rows} rows into ${table} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      return 0;
    } catch (e) {
      if (tty) process.stderr.write('\n');
      console.error(formatError(toOrbitError(e), ''));
      return 1;
    } finally {
      await engine.close();
    }
  },
};
