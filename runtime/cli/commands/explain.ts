// `orbit explain`: compiles a statement offline against a schema file and prints its plan.
import { compileOrbitQL, compileSql, explainDot, explainJson, explainText, printLogical } from '../../../compiler/index.ts';
import { readSource, UsageError, type Command } from '../command.ts';
import { formatDiagnostic, isOrbitQL, loadCatalog, readText } from './offline.ts';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Show the plan of a statement, offline, from a schema file',
  usage: '--schema <schema.sql> [options] ["SELECT …" | -f file.sql]',
  options: {
    language: { type: 'string', short: 'l', description: 'sql (default) or orbitql (the default for .oql files)', valueName: 'lang' },
    schema: { type: 'string', short: 's', description: 'File of CREATE TABLE/INDEX/VIEW statements', valueName: 'file' },
    stats: { type: 'string', description: 'JSON statistics per table (row counts, distinct counts, …)', valueName: 'file' },
    file: { type: 'string', short: 'f', description: 'Read the statement from a file', valueName: 'file' },
    logical: { type: 'boolean', description: 'Print the typed logical IR before optimization' },
    optimized: { type: 'boolean', description: 'Print the optimized logical IR' },
    format: { type: 'string', description: 'text (default), json or dot (Graphviz)', valueName: 'fmt' },
  },
  notes: 'Without a statement argument or -f, the statement is read from standard input.',
  async run(args) {
    const format = (args.values['format'] as string | undefined) ?? 'text';
    if (!['text', 'json', 'dot'].includes(format)) throw new UsageError(`unknown format "${format}" (text, json, dot)`);
    const { catalog, errors } = loadCatalog(args.values['schema'] as string | undefined, args.values['stats'] as string | undefined);
    if (errors.length > 0) {
      for (const e of errors) console.error(e);
      return 1;
    }
    const src = await readSource(args, readText);
    const results = isOrbitQL(args.values['language'], src.name) ? compileOrbitQL(src.text, catalog).statements : compileSql(src.text, catalog);
    let failed = false;
    const out: string[] = [];
    for (const r of results) {
      if (r.diagnostics.some((d) => d.severity === 'error')) {
        failed = true;
        for (const d of r.diagnostics) console.error(formatDiagnostic(src.name, src.text, d));
        continue;
      }
      if (args.values['logical']) {
        if (r.logical) out.push(printLogical(r.logical));
        continue;
      }
      if (args.values['optimized']) {
        if (r.optimized) out.push(printLogical(r.optimized));
        continue;
      }
      if (!r.physical) {
        out.push(`${r.bound?.kind ?? 'statement'} (no plan)`);
        continue;
      }
      out.push(format === 'json' ? explainJson(r.physical) : format === 'dot' ? explainDot(r.physical) : explainText(r.physical));
    }
    if (out.length > 0) console.log(out.join('\n\n'));
    return failed ? 1 : 0;
  },
};
