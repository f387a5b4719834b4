// The runtime's public face: the Engine and Session API every protocol adapter and tool calls.
export { Engine, type EngineOptions } from './engine/engine.ts';
export { Session, type ExecuteOptions, type PreparedStatement, type SessionOptions, type TransactionStatus } from './engine/session.ts';
export { OrbitError, toOrbitError } from './engine/errors.ts';
export { resultRows, resultObjects, type ResultColumn, type ResultEvent, type RowBatch, type StatementResult, type Notice } from './engine/result.ts';
export { formatValue } from './engine/text.ts';
export { typeModifier, typeOfOid, typeOid, typeSize } from './engine/pg-types.ts';
export * as kv from './kv/index.ts';
export { Actor, ActorError, ActorRuntime, type ActorClass, type ActorClient, type ActorKey, type ActorOptions, type ActorRef, type ActorRuntimeOptions, type ActorStats } from './actors/index.ts';
