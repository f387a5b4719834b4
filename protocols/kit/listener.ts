// The contract between the server bootstrap and each wire protocol: start a listener on an engine.
import type { Engine } from '../../runtime/index.ts';

export interface ListenOptions {
  readonly host: string;
  /** 0 asks for an ephemeral port. */
  readonly port: number;
  /** Protocol-specific settings from the config file (users, TLS, limits …). */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface Listening {
  /** The port actually bound (differs from the requested one when it was 0). */
  readonly port: number;
  /** Stops accepting, ends client sessions and resolves when the listener is closed. */
  close(): Promise<void>;
}

/** One wire protocol as the server sees it. `name` is its flag and env prefix (`--pg-port`, `ORBIT_PG_PORT`). */
export interface ProtocolListener {
  readonly name: string;
  readonly defaultPort: number;
  start(engine: Engine, options: ListenOptions): Promise<Listening>;
}
