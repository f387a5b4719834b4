// Public face of the SQL (PostgreSQL dialect) front end: parsing, formatting and the AST types.

export type * from './ast.ts';
export { parseSql, parseStatement, type ParseResult, type ParsedStatement, type StatementParseResult } from './parse.ts';
export { formatSql, formatScript } from './format.ts';
export { splitStatements, type StatementRange } from './split.ts';
