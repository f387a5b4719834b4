// Every key-value command implementation by its table name (`SET`, `OBJECT|ENCODING`).
import type { Handler } from '../keyspace.ts';
import { hashCommands } from './hashes.ts';
import { hllCommands } from './hll.ts';
import { keyCommands } from './keys.ts';
import { listCommands } from './lists.ts';
import { setCommands } from './sets.ts';
import { stringCommands } from './strings.ts';
import { zsetCommands } from './zsets.ts';

/** Commands that act on the keyspace; connection, pub/sub and transaction commands belong to the session. */
export const KV_HANDLERS: ReadonlyMap<string, Handler> = new Map(
  Object.entries({ ...stringCommands, ...keyCommands, ...hashCommands, ...listCommands, ...setCommands, ...zsetCommands, ...hllCommands }),
);
