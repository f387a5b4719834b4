// The `orbit` command line: dispatches to subcommands; offline ones load only the compiler.
import { commandHelp, parseCommandArgs, UsageError, type Command } from './command.ts';

/** Subcommands load lazily so `orbit explain` never loads storage or native addons. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  server: { summary: 'Start the Orbit server', load: async () => (await import('./commands/server.ts')).serverCommand },
  sql: { summary: 'Run SQL statements against a data directory', load: async () => (await import('./commands/sql.ts')).sqlCommand },
  import: { summary: 'Load a CSV or Parquet file into a table', load: async () => (await import('./commands/import.ts')).importCommand },
  explain: { summary: 'Show the plan of a statement, offline, from a schema file', load: async () => (await import('./commands/explain.ts')).explainCommand },
  compile: { summary: 'Check a SQL file against a schema and print diagnostics', load: async () => (await import('./commands/compile.ts')).compileCommand },
  fmt: { summary: 'Print SQL in canonical form', load: async () => (await import('./commands/fmt.ts')).fmtCommand },
  user: { summary: 'Add a user who logs in with a password', load: async () => (await import('./commands/user.ts')).userCommand },
  lsp: { summary: 'Start the OrbitQL language server', load: async () => (await import('./commands/lsp.ts')).lspCommand },
  actor: { summary: 'Call an actor method on a running server', load: async () => (await import('./commands/actor.ts')).actorCommand },
  cluster: { summary: 'Show the actor cluster (status, nodes, actors) or drain a node', load: async () => (await import('./commands/cluster.ts')).clusterCommand },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'orbit — a multi-model, multi-protocol database',
    '',
    'Usage: orbit <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `orbit <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? rest[0] : undefined;
    if (target && COMMANDS[target]) {
      console.log(commandHelp(await COMMANDS[target].load()));
      return 0;
    }
    console.log(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`orbit: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(parseCommandArgs(cmd, rest));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`orbit ${name}: ${e.message}\nRun \`orbit ${name} --help\` for usage.`);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`orbit: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
