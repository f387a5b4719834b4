// The Redis protocol (RESP2/RESP3) listener: what the server bootstrap starts for `--resp-port`.
import type { ProtocolListener } from '../kit/listener.ts';
import { listen } from './server.ts';

export const resp: ProtocolListener = {
  name: 'resp',
  defaultPort: 6379,
  start: listen,
};

export { Decoder, ProtocolError, splitArgs } from './codec.ts';
export { RespWriter } from './encode-result.ts';
