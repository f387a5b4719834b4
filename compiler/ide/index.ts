// Public face of the language service (diagnostics, completion, hover, definition, formatting, semantic tokens).

export { LanguageService } from './service.ts';
export type { CompletionItem, CompletionKind } from './completion.ts';
export type { Hover } from './hover.ts';
export type { TextEdit } from './format.ts';
export type { QuickFix } from './fixes.ts';
export { nearestNames } from './fixes.ts';
export type { SemanticToken, TokenType } from './tokens.ts';
export type { SignatureHelp, DocumentSymbol } from './signature.ts';
