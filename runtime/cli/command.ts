// The shape of an `orbit` subcommand and the shared option parsing and help printing.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { readonly description: string; readonly valueName?: string };

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Usage line after `orbit <name>`. */
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Extra text printed after the options in `--help`. */
  readonly notes?: string;
  /** Returns the process exit code. */
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
}

/** Thrown for a usage mistake: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(cmd: Command, argv: readonly string[]): ParsedArgs {
  const options: Record<string, NonNullable<ParseArgsConfig['options']>[string]> = {};
  for (const [name, spec] of Object.entries(cmd.options)) {
    const { description: _d, valueName: _v, ...rest } = spec;
    options[name] = rest;
  }
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function commandHelp(cmd: Command): string {
  const lines = [`orbit ${cmd.name} — ${cmd.summary}`, '', `Usage: orbit ${cmd.name} ${cmd.usage}`, '', 'Options:'];
  const entries = Object.entries(cmd.options);
  const flags = entries.map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    return `${short}--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
  });
  const width = Math.max(...flags.map((f) => f.length), 10);
  entries.forEach(([, o], i) => lines.push(`  ${flags[i]!.padEnd(width)}  ${o.description}`));
  lines.push(`  ${'-h, --help'.padEnd(width)}  Show this help`);
  if (cmd.notes) lines.push('', cmd.notes);
  return lines.join('\n');
}

/** Reads a statement argument: the positional text, `-f file`, or standard input when neither is given. */
export async function readSource(args: ParsedArgs, readFile: (path: string) => string): Promise<{ text: string; name: string }> {
  const file = args.values['file'];
  if (typeof file === 'string') return { text: readFile(file), name: file };
  if (args.positionals.length > 0) return { text: args.positionals.join(' '), name: '<command line>' };
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return { text: Buffer.concat(chunks).toString('utf8'), name: '<stdin>' };
}
