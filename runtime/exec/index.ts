// Public face of the executor: run physical plans over storage, stream Arrow batches.

export { executeQuery, QueryStream, DEFAULT_BATCH_SIZE, preorderIds } from './execute.ts';
export type { ExecContext, OperatorStats } from './context.ts';
export { ExecError, EXEC_ERRORS, type ExecErrorCode, StorageError, STORAGE_ERRORS, type StorageErrorCode } from './errors.ts';
export { arrowType, arrowSchema, batchRows, cellValue, fieldType } from './arrow-types.ts';
export { textOf, parseText, formatFloat } from './text.ts';
export { castValue } from './cast.ts';
export { chunkRows, valueAt, type Chunk, type Vec } from './vector.ts';
