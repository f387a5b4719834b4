// The REST API listener (JSON over HTTP): what the server bootstrap starts for `--http-port`.
import type { ProtocolListener } from '../kit/listener.ts';
import { listen } from './server.ts';

export const http: ProtocolListener = {
  name: 'http',
  defaultPort: 8080,
  start: listen,
};
