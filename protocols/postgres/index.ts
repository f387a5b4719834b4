// The PostgreSQL wire protocol v3 listener: what the server bootstrap starts for `--pg-port`.
import type { ProtocolListener } from '../kit/listener.ts';
import { listen } from './server.ts';

export const postgres: ProtocolListener = {
  name: 'pg',
  defaultPort: 5432,
  start: listen,
};

export { Decoder, ProtocolViolation } from './codec.ts';
export { md5Verifier, scramVerifier } from './auth.ts';
