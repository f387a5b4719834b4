// The VS Code client: starts the bundled OrbitQL language server and adds the "Orbit: Explain Query" command.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** Called by VS Code on the activation events of package.json. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio },
  };
  const config = vscode.workspace.getConfiguration('orbit');
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'orbitql' }],
    initializationOptions: { schemaFile: config.get<string>('schemaFile') ?? '' },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/orbit.schema.{oql,sql}') },
  };
  client = new LanguageClient('orbitql', 'OrbitQL', serverOptions, clientOptions);
  const output = vscode.window.createOutputChannel('Orbit: Explain');
  context.subscriptions.push(
    output,
    // Run from the palette (the statement at the cursor) or from a statement's "Explain" code lens (its uri and position).
    vscode.commands.registerCommand('orbit.explainQuery', async (uri?: string, position?: { line: number; character: number }) => {
      const editor = vscode.window.activeTextEditor;
      if (!client || (!editor && uri === undefined)) return;
      const result = await client.sendRequest<{ text: string; diagnostics: string[] }>('orbit/explain', {
        uri: uri ?? editor!.document.uri.toString(),
        position: position ?? editor!.selection.active,
      });
      output.clear();
      output.appendLine(result.text || result.diagnostics.join('\n') || 'No statement at the cursor.');
      output.show(true);
    }),
  );
  await client.start();
}

/** Called by VS Code on shutdown: stops the language server. */
export async function deactivate(): Promise<void> {
  await client?.stop();
}
