// The language server: adapts compiler/ide's LanguageService to the Language Server Protocol.
//
// LSP 3.17: textDocument/publishDiagnostics, completion, hover, definition, signatureHelp, documentSymbol,
// formatting, semanticTokens/full, codeLens (an "Explain" lens per statement), codeAction (quick fixes for
// misspelled names), workspace/didChangeConfiguration and workspace/executeCommand (reloading the catalog);
// plus `orbit/explain` (the optimized plan of the statement at a position).

import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  MessageType,
  ShowMessageNotification,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type DidChangeConfigurationParams,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { compileOrbitQL, explainText, type Catalog, type Diagnostic } from '../compiler/index.ts';
import { LanguageService, type CompletionKind, type TokenType } from '../compiler/ide/index.ts';
import { mergeCatalogs } from './remote-catalog.ts';
import { displayUrl, type ServerEndpoint } from './remote.ts';

/** Semantic token types, in the order of the legend the server announces. */
export const TOKEN_TYPES: readonly TokenType[] = ['keyword', 'string', 'number', 'operator', 'function', 'variable', 'type', 'property', 'comment'];

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  table: CompletionItemKind.Class,
  column: CompletionItemKind.Field,
  function: CompletionItemKind.Function,
  alias: CompletionItemKind.Variable,
  cte: CompletionItemKind.Class,
  variable: CompletionItemKind.Variable,
};

/** The one request the server adds to LSP: `{ uri, position }` → the EXPLAIN text of the statement there. */
export const EXPLAIN_REQUEST = 'orbit/explain';

/**
 * The client command an "Explain" code lens runs, with `[uri, position]` as arguments: the VS Code
 * extension's command, which asks EXPLAIN_REQUEST and shows the plan.
 */
export const EXPLAIN_COMMAND = 'orbit.explainQuery';

/**
 * The command that reloads the catalog (schema file and server) and checks open documents again; the
 * client offers it as "Orbit: Refresh Catalog". It answers `{ source, relations }`.
 */
export const REFRESH_COMMAND = 'orbit.refreshCatalog';

/** What the server needs from its host: the workspace's catalog, loaded once the workspace is known. */
export interface ServerHost {
  /**
   * The catalog for the workspace folders, from `schemaFile` (relative to a folder) when set, else from
   * `orbit.schema.oql` / `orbit.schema.sql`, with any problems to log.
   */
  loadCatalog(folders: readonly string[], schemaFile?: string): { catalog: Catalog; problems: readonly string[] };
  /** A running server's catalog over its REST API; rejects when the server cannot be asked. */
  loadServerCatalog(endpoint: ServerEndpoint): Promise<{ catalog: Catalog; problems: readonly string[] }>;
}

/** The client's `orbit` settings the server reads (initializationOptions, or the `orbit` configuration section). */
interface Settings {
  readonly schemaFile: string | undefined;
  readonly serverUrl: string | undefined;
  readonly serverToken: string | undefined;
}

function readSettings(raw: unknown): Settings {
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const str = (k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
  return { schemaFile: str('schemaFile'), serverUrl: str('serverUrl'), serverToken: str('serverToken') };
}

const sameSettings = (a: Settings, b: Settings): boolean => a.schemaFile === b.schemaFile && a.serverUrl === b.serverUrl && a.serverToken === b.serverToken;

/** Registers every handler on `connection` and starts listening. */
export function startServer(connection: Connection, host: ServerHost): void {
  const documents = new TextDocuments(TextDocument);
  const service = new LanguageService();
  let catalog: Catalog | undefined;
  let folders: string[] = [];
  let settings: Settings = readSettings(undefined);
  let canPullConfiguration = false;
  /** Where the catalog in use came from, as REFRESH_COMMAND reports it. */
  let source: 'server' | 'schema file' = 'schema file';
  /** The load in progress: requests that depend on the catalog wait for it. */
  let loading: Promise<void> = Promise.resolve();
  /** Bumped by each load, so a slow answer from a server never replaces a newer catalog. */
  let generation = 0;

  const publish = (doc: TextDocument): void => {
    const diagnostics = service.diagnostics(doc.getText()).map((d) => toLspDiagnostic(doc, d));
    void connection.sendDiagnostics({ uri: doc.uri, diagnostics });
  };

  const use = (c: Catalog, from: typeof source): void => {
    catalog = c;
    source = from;
    service.setCatalog(c);
    for (const doc of documents.all()) publish(doc);
  };

  /**
   * Loads the schema file and, when a server URL is set, the server's catalog merged over it; the
   * catalog changes once, when both are in, so documents do not flash errors for server-only tables.
   * A server that cannot be asked costs one warning, and the schema file's catalog is used.
   */
  const reload = (): Promise<void> => {
    const mine = ++generation;
    const file = host.loadCatalog(folders, settings.schemaFile);
    for (const p of file.problems) connection.console.warn(p);
    const url = settings.serverUrl;
    if (!url) {
      use(file.catalog, 'schema file');
      return Promise.resolve();
    }
    return host.loadServerCatalog({ url, ...(settings.serverToken ? { token: settings.serverToken } : {}) }).then(
      (remote) => {
        if (mine !== generation) return;
        for (const p of remote.problems) connection.console.warn(p);
        use(mergeCatalogs(file.catalog, remote.catalog), 'server');
      },
      (e: unknown) => {
        if (mine !== generation) return;
        const message = `Orbit: no catalog from ${displayUrl(url)} (${e instanceof Error ? e.message : String(e)}); checking against the schema file instead.`;
        connection.console.warn(message);
        // A notification, not window/showMessageRequest: nothing to answer, so nothing waits on the user.
        void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
        use(file.catalog, 'schema file');
      },
    );
  };

  /** Applies new settings; reloads only when they changed. */
  const configure = (next: Settings): void => {
    if (sameSettings(next, settings)) return;
    settings = next;
    loading = reload();
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    folders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (folders.length === 0 && params.rootUri) folders.push(params.rootUri);
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    settings = readSettings(params.initializationOptions);
    loading = reload();
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['.', ' ', ':', '$'] },
        hoverProvider: true,
        definitionProvider: true,
        documentFormattingProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
        documentSymbolProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [] }, full: true },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: [REFRESH_COMMAND] },
      },
      serverInfo: { name: 'orbit-lsp' },
    };
  });

  // The schema file changed (the client watches it): reload the catalog and check every open document again.
  connection.onDidChangeWatchedFiles(() => {
    loading = reload();
  });

  // Pushed settings carry the `orbit` section; a client that only signals a change is asked for it.
  connection.onDidChangeConfiguration((p: DidChangeConfigurationParams) => {
    const pushed = (p.settings as { orbit?: unknown } | null | undefined)?.orbit;
    if (pushed !== undefined) configure(readSettings(pushed));
    else if (canPullConfiguration) void connection.workspace.getConfiguration('orbit').then((s: unknown) => configure(readSettings(s)));
  });

  connection.onExecuteCommand(async (p) => {
    if (p.command !== REFRESH_COMMAND) return null;
    loading = reload();
    await loading;
    return { source, relations: catalog?.listRelations().length ?? 0 };
  });

  // Opening a document fires a content change too, so this publishes once per open and per edit. Diagnostics
  // wait for a load in progress: an answer against a half-loaded catalog would be wrong.
  documents.onDidChangeContent((e) => void loading.then(() => publish(e.document)));
  documents.onDidClose((e) => void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));

  connection.onCompletion(async (p) => {
    await loading;
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return service.completion(doc.getText(), doc.offsetAt(p.position)).map((i) => ({
      label: i.label,
      kind: COMPLETION_KINDS[i.kind],
      ...(i.detail ? { detail: i.detail } : {}),
    }));
  });

  connection.onHover(async (p) => {
    await loading;
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const h = service.hover(doc.getText(), doc.offsetAt(p.position));
    if (!h) return null;
    return { contents: { kind: 'markdown', value: h.contents }, range: { start: doc.positionAt(h.span.start), end: doc.positionAt(h.span.end) } };
  });

  connection.onDefinition((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return null;
    const span = service.definition(doc.getText(), doc.offsetAt(p.position));
    if (!span) return null;
    return { uri: doc.uri, range: { start: doc.positionAt(span.start), end: doc.positionAt(span.end) } };
  });

  connection.onSignatureHelp((p) => {
    const doc = documents.get(p.textDocument.uri);
    const help = doc ? service.signatureHelp(doc.getText(), doc.offsetAt(p.position)) : undefined;
    if (!help) return null;
    return { signatures: help.signatures.map((label) => ({ label })), activeSignature: 0, activeParameter: help.activeParameter };
  });

  connection.onDocumentSymbol((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const range = (s: { start: number; end: number }) => ({ start: doc.positionAt(s.start), end: doc.positionAt(s.end) });
    return service.documentSymbols(doc.getText()).map((s) => ({
      name: s.name,
      kind: s.kind === 'variable' ? SymbolKind.Variable : s.kind === 'cte' ? SymbolKind.Class : SymbolKind.Event,
      range: range(s.span),
      selectionRange: range(s.selection),
    }));
  });

  connection.onDocumentFormatting((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return service.format(doc.getText()).map((e) => ({ range: { start: doc.positionAt(e.span.start), end: doc.positionAt(e.span.end) }, newText: e.newText }));
  });

  connection.onCodeLens((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const text = doc.getText();
    return service.explainable(text).map((span) => {
      // The lens sits on the statement's first word, not on the blank lines before it.
      const start = doc.positionAt(span.start + (text.slice(span.start, span.end).length - text.slice(span.start, span.end).trimStart().length));
      return { range: { start, end: start }, command: { title: 'Explain', command: EXPLAIN_COMMAND, arguments: [doc.uri, start] } };
    });
  });

  connection.onCodeAction((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    const fixes = service.quickFixes(doc.getText(), doc.offsetAt(p.range.start), doc.offsetAt(p.range.end));
    return fixes.map((f) => {
      const range = { start: doc.positionAt(f.span.start), end: doc.positionAt(f.span.end) };
      return {
        title: f.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toLspDiagnostic(doc, f.diagnostic)],
        isPreferred: fixes.find((x) => x.diagnostic === f.diagnostic) === f,
        edit: { changes: { [doc.uri]: [{ range, newText: f.newText }] } },
      };
    });
  });

  connection.languages.semanticTokens.on((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return { data: [] };
    // Relative encoding (LSP 3.17 "Semantic Tokens"): line delta, start delta, length, type, modifiers; one line per token.
    const data: number[] = [];
    let line = 0;
    let char = 0;
    for (const t of service.semanticTokens(doc.getText())) {
      const start = doc.positionAt(t.start);
      const end = doc.positionAt(t.end);
      const length = start.line === end.line ? end.character - start.character : doc.offsetAt({ line: start.line + 1, character: 0 }) - t.start - 1;
      if (length <= 0) continue;
      data.push(start.line - line, start.line === line ? start.character - char : start.character, length, TOKEN_TYPES.indexOf(t.type), 0);
      line = start.line;
      char = start.character;
    }
    return { data };
  });

  connection.onRequest(EXPLAIN_REQUEST, async (p: { uri: string; position: { line: number; character: number } }) => {
    await loading;
    const doc = documents.get(p.uri);
    if (!doc || !catalog) return { text: '', diagnostics: [] };
    const offset = doc.offsetAt(p.position);
    const compiled = compileOrbitQL(doc.getText(), catalog).statements;
    const s = compiled.find((x) => x.span.start <= offset && offset <= x.span.end) ?? compiled[compiled.length - 1];
    if (!s) return { text: '', diagnostics: [] };
    return { text: s.physical ? explainText(s.physical) : '', diagnostics: s.diagnostics.map((d) => d.message) };
  });

  documents.listen(connection);
  connection.listen();
}

function toLspDiagnostic(doc: TextDocument, d: Diagnostic) {
  return {
    range: { start: doc.positionAt(d.span.start), end: doc.positionAt(d.span.end) },
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.sqlstate,
    source: 'orbit',
    message: d.detail ? `${d.message} (${d.detail})` : d.message,
  };
}
