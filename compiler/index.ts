// The compiler's public face: everything a runtime, protocol, tool or editor may use.
export * from './ir/types.ts';
export * from './ir/expr.ts';
export * from './ir/plan.ts';
export * as build from './ir/build.ts';
export { printLogical } from './ir/print.ts';
export * from './diagnostics/index.ts';
export * from './catalog/index.ts';
export type * as SqlAst from './frontends/sql/ast.ts';
export { parseSql, formatSql } from './frontends/sql/index.ts';
export { parseOrbitQL, compileOrbitQL, formatOrbitQL, sqlStatementOf, isDocumentTable, type OrbitSqlStatement, type OrbitStatement, type CompiledOrbitStatement } from './frontends/orbitql/index.ts';
export { isEdgeTable } from './frontends/sql/lower-graph.ts';
export { bindStatement } from './bind/index.ts';
export * from './physical/plan.ts';
export { compileSql, optimize, planPhysical } from './pipeline.ts';
export { explainText, explainJson, explainDot, type ActualStats, type ExplainOptions } from './explain/index.ts';
export { PlanCache, normalizeSql, type PreparedEntry } from './plan-cache.ts';
export type { KeyOp, KeyOpArg } from './ir/key-op.ts';
export { CommandTable, asciiLower, asciiUpper, hasKeyword, isKeyword, type CallFailure, type CommandSpec, type ContainerSpec, type ArgNode as RespArgNode } from './frontends/resp/index.ts';
