// The protocols the server can start, in start order; each folder's index.ts exports its listener.
import type { ProtocolListener } from './kit/listener.ts';
import { http } from './http/index.ts';
import { postgres } from './postgres/index.ts';
import { resp } from './resp/index.ts';

export type { ListenOptions, Listening, ProtocolListener } from './kit/listener.ts';

export const PROTOCOLS: readonly ProtocolListener[] = [postgres, resp, http];
