// `orbit fmt`: prints SQL in canonical form, from the AST.
import { formatSql, parseSql } from '../../../compiler/index.ts';
import { readSource, type Command } from '../command.ts';
import { formatDiagnostic, readText } from './offline.ts';

export const fmtCommand: Command = {
  name: 'fmt',
  summary: 'Print SQL in canonical form',
  usage: '[file.sql | -f file.sql | "SQL text"]',
  options: {
    file: { type: 'string', short: 'f', description: 'Read the SQL from a file', valueName: 'file' },
  },
  notes: 'Without an argument the SQL is read from standard input. Exits 1 on a syntax error.',
  async run(args) {
    const positional = args.positionals[0];
    const src =
      positional !== undefined && args.positionals.length === 1 && /\.sql$/i.test(positional)
        ? { text: readText(positional), name: positional }
        : await readSource(args, readText);
    const parsed = parseSql(src.text);
    if (parsed.diagnostics.length > 0) {
      for (const d of parsed.diagnostics) console.error(formatDiagnostic(src.name, src.text, d));
      return 1;
    }
    console.log(parsed.statements.map((s) => `${formatSql(s.ast)};`).join('\n\n'));
    return 0;
  },
};
