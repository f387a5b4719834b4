// The language server: adapts compiler/ide's LanguageService to the Language Server Protocol.
//
// LSP 3.17: textDocument/publishDiagnostics, completion, hover, definition, signatureHelp, documentSymbol,
// formatting, semanticTokens/full, codeLens (an "Explain" lens per statement), codeAction (quick fixes for
// misspelled names); plus `orbit/explain` (the optimized plan of the statement at a position).

import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  SymbolKind,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { compileOrbitQL, explainText, type Catalog, type Diagnostic } from '../compiler/index.ts';
import { LanguageService, type CompletionKind, type TokenType } from '../compiler/ide/index.ts';

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

/** What the server needs from its host: the workspace's catalog, loaded once the workspace is known. */
export interface ServerHost {
  /**
   * The catalog for the workspace folders, from `schemaFile` (relative to a folder) when set, else from
   * `orbit.schema.oql` / `orbit.schema.sql`, with any problems to log.
   */
  loadCatalog(folders: readonly string[], schemaFile?: string): { catalog: Catalog; problems: readonly string[] };
}

/** Registers every handler on `connection` and starts listening. */
export function startServer(connection: Connection, host: ServerHost): void {
  const documents = new TextDocuments(TextDocument);
  const service = new LanguageService();
  let catalog: Catalog | undefined;
  let folders: string[] = [];
  let schemaFile: string | undefined;
  const load = (): void => {
    const loaded = host.loadCatalog(folders, schemaFile);
    catalog = loaded.catalog;
    service.setCatalog(catalog);
    for (const p of loaded.problems) connection.console.warn(p);
  };

  const publish = (doc: TextDocument): void => {
    const diagnostics = service.diagnostics(doc.getText()).map((d) => toLspDiagnostic(doc, d));
    void connection.sendDiagnostics({ uri: doc.uri, diagnostics });
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    folders = (params.workspaceFolders ?? []).map((f) => f.uri);
    if (folders.length === 0 && params.rootUri) folders.push(params.rootUri);
    const options = params.initializationOptions as { schemaFile?: unknown } | undefined;
    schemaFile = typeof options?.schemaFile === 'string' && options.schemaFile !== '' ? options.schemaFile : undefined;
    load();
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
      },
      serverInfo: { name: 'orbit-lsp' },
    };
  });

  // The schema file changed (the client watches it): reload the catalog and check every open document again.
  connection.onDidChangeWatchedFiles(() => {
    load();
    for (const doc of documents.all()) publish(doc);
  });

  documents.onDidOpen((e) => publish(e.document));
  documents.onDidChangeContent((e) => publish(e.document));
  documents.onDidClose((e) => void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));

  connection.onCompletion((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    return service.completion(doc.getText(), doc.offsetAt(p.position)).map((i) => ({
      label: i.label,
      kind: COMPLETION_KINDS[i.kind],
      ...(i.detail ? { detail: i.detail } : {}),
    }));
  });

  connection.onHover((p) => {
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

  connection.onRequest(EXPLAIN_REQUEST, (p: { uri: string; position: { line: number; character: number } }) => {
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
