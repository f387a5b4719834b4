// `orbit compile`: checks a SQL file against a schema and prints `file:line:col: error CODE: message`.
import { compileOrbitQL, compileSql } from '../../../compiler/index.ts';
import { UsageError, type Command } from '../command.ts';
import { formatDiagnostic, isOrbitQL, loadCatalog, readText } from './offline.ts';

export const compileCommand: Command = {
  name: 'compile',
  summary: 'Check a SQL file against a schema and print diagnostics',
  usage: '<file.sql> [--schema <schema.sql>] [--stats <stats.json>]',
  options: {
    language: { type: 'string', short: 'l', description: 'sql (default) or orbitql (the default for .oql files)', valueName: 'lang' },
    schema: { type: 'string', short: 's', description: 'File of CREATE TABLE/INDEX/VIEW statements', valueName: 'file' },
    stats: { type: 'string', description: 'JSON statistics per table', valueName: 'file' },
  },
  notes: 'Exits 1 when any statement has an error, 0 otherwise.',
  async run(args) {
    const file = args.positionals[0];
    if (!file) throw new UsageError('missing the SQL file to compile');
    const { catalog, errors } = loadCatalog(args.values['schema'] as string | undefined, args.values['stats'] as string | undefined);
    for (const e of errors) console.error(e);
    const text = readText(file);
    let count = 0;
    for (const r of isOrbitQL(args.values['language'], file) ? compileOrbitQL(text, catalog).statements : compileSql(text, catalog)) {
      for (const d of r.diagnostics) {
        console.log(formatDiagnostic(file, text, d));
        if (d.severity === 'error') count++;
      }
    }
    return count > 0 || errors.length > 0 ? 1 : 0;
  },
};
