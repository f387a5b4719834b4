// `orbit lsp`: the OrbitQL language server, speaking LSP on standard input and output.
import { UsageError, type Command } from '../command.ts';

export const lspCommand: Command = {
  name: 'lsp',
  summary: 'Start the OrbitQL language server',
  usage: '--stdio',
  options: {
    stdio: { type: 'boolean', description: 'Speak LSP on standard input and output (the only transport)' },
  },
  notes:
    'The catalog comes from orbit.schema.oql or orbit.schema.sql at the root of the workspace folder (or the orbit.schemaFile setting). ' +
    'With orbit.serverUrl set to a running server\'s REST API (orbit.serverToken for a bearer token), the server\'s live catalog is laid over it.',
  async run(args) {
    if (args.values['stdio'] !== true) throw new UsageError('orbit lsp needs --stdio');
    const { runStdioServer } = await import('../../../lsp/index.ts');
    runStdioServer();
    // The server ends the process on the client's `exit` notification.
    await new Promise<never>(() => {});
    return 0;
  },
};
