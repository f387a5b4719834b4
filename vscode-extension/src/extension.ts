// The VS Code client: starts the bundled OrbitQL language server and adds the "Orbit: Explain Query" and "Orbit: Run Query" commands.

import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { errorMessage, errorPlace, formatResults, RemoteError, runQuery, statementAt } from './run-query.ts';

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
    initializationOptions: { schemaFile: config.get<string>('schemaFile') ?? '', serverUrl: config.get<string>('serverUrl') ?? '', serverToken: config.get<string>('serverToken') ?? '' },
    // The `orbit` settings are pushed to the server on every change, so a new server URL reloads the catalog.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/orbit.schema.{oql,sql}'), configurationSection: 'orbit' },
  };
  client = new LanguageClient('orbitql', 'OrbitQL', serverOptions, clientOptions);
  const output = vscode.window.createOutputChannel('Orbit: Explain');
  const results = vscode.window.createOutputChannel('Orbit: Results');
  const runErrors = vscode.languages.createDiagnosticCollection('orbit-run');
  context.subscriptions.push(
    output,
    results,
    runErrors,
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
    // The selection, or the statement under the cursor, runs on the server of `orbit.serverUrl`.
    vscode.commands.registerCommand('orbit.runQuery', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return;
      const settings = vscode.workspace.getConfiguration('orbit');
      const url = settings.get<string>('serverUrl') ?? '';
      if (!url) {
        void vscode.window.showErrorMessage('Orbit: set `orbit.serverUrl` to a running server\'s REST API (such as http://127.0.0.1:8080) to run queries.');
        return;
      }
      const doc = editor.document;
      const statement = statementAt(doc.getText(), doc.offsetAt(editor.selection.start), doc.offsetAt(editor.selection.end));
      if (!statement) {
        void vscode.window.showInformationMessage('Orbit: no statement at the cursor.');
        return;
      }
      runErrors.delete(doc.uri);
      const token = settings.get<string>('serverToken') ?? '';
      try {
        const answer = await runQuery({ url, ...(token ? { token } : {}) }, statement.text);
        results.clear();
        results.appendLine(formatResults(answer));
        results.show(true);
      } catch (e) {
        if (!(e instanceof RemoteError)) throw e;
        const place = errorPlace(e, statement);
        if (place) {
          const range = new vscode.Range(doc.positionAt(place.start), doc.positionAt(place.end));
          runErrors.set(doc.uri, [new vscode.Diagnostic(range, place.message, vscode.DiagnosticSeverity.Error)]);
        }
        void vscode.window.showErrorMessage(`Orbit: ${errorMessage(e)}`);
      }
    }),
  );
  await client.start();
}

/** Called by VS Code on shutdown: stops the language server. */
export async function deactivate(): Promise<void> {
  await client?.stop();
}
