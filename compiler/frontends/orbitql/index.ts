// Public face of the OrbitQL front end: parsing, lowering and compiling scripts, and the grammar tools use.

export type * from './ast.ts';
export { parseOrbitQL, type OrbitParseResult } from './parse.ts';
export { lowerOrbitStatement, sqlStatementOf, finishOrbitStatement, isDocumentTable, type OrbitSqlStatement, resolvePaths, type LoweredStatement, type LowerOptions } from './lower.ts';
export { compileOrbitQL, type CompiledOrbitStatement, type CompileOrbitOptions } from './compile.ts';
export { NAMESPACED_FUNCTIONS, registryName } from './functions.ts';
export { orbitGrammar, expectedAt } from './to-ast.ts';
export { SpanMap, type SpanMapping } from './span-map.ts';
export { StatementCache } from './cache.ts';
export { formatOrbitQL, formatOrbitStatement, hasComments } from './format.ts';
