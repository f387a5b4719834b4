// Public face of the RESP front end: the command table (specs parsed once) and argv → KeyOp matching.
export type { ArgNode, SpecLine } from './ast.ts';
export { CommandTable, asciiLower, asciiUpper, type CallFailure, type CommandSpec, type ContainerSpec } from './table.ts';
export { hasKeyword, isKeyword, type MatchFailure } from './match.ts';
export { COMMAND_SPECS } from './specs.ts';
