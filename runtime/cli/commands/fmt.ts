// `orbit fmt`: prints SQL or OrbitQL in canonical form, from the AST.
import { formatOrbitQL, formatSql, parseSql } from '../../../compiler/index.ts';
import { readSource, type Command } from '../command.ts';
import { formatDiagnostic, isOrbitQL, readText } from './offline.ts';

export const fmtCommand: Command = {
  name: 'fmt',
  summary: 'Print SQL or OrbitQL in canonical form',
  usage: '[file.sql | file.oql | -f file | "SQL text"] [--language sql|orbitql]',
  options: {
    file: { type: 'string', short: 'f', description: 'Read the statements from a file', valueName: 'file' },
    language: { type: 'string', short: 'l', description: 'sql (default) or orbitql (the default for .oql files)', valueName: 'lang' },
  },
  notes: 'Without an argument the text is read from standard input. Exits 1 on a syntax error.',
  async run(args) {
    const positional = args.positionals[0];
    const src =
      positional !== undefined && args.positionals.length === 1 && /\.(sql|oql)$/i.test(positional)
        ? { text: readText(positional), name: positional }
        : await readSource(args, readText);
    if (isOrbitQL(args.values['language'], src.name)) {
      const r = formatOrbitQL(src.text);
      for (const d of r.diagnostics) console.error(formatDiagnostic(src.name, src.text, d));
      if (r.text === undefined) return 1;
      process.stdout.write(r.text);
      return 0;
    }
    const parsed = parseSql(src.text);
    if (parsed.diagnostics.length > 0) {
      for (const d of parsed.diagnostics) console.error(formatDiagnostic(src.name, src.text, d));
      return 1;
    }
    console.log(parsed.statements.map((s) => `${formatSql(s.ast)};`).join('\n\n'));
    return 0;
  },
};
