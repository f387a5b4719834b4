// Binds the codec and the session state machine to TCP sockets (node:net: its write buffers for us).
import { createServer, type Socket } from 'node:net';
import type { Engine } from '../../runtime/index.ts';
import type { ListenOptions, Listening } from '../kit/listener.ts';
import { Decoder, DEFAULT_MAX_MESSAGE_LENGTH, type Decoded } from './codec.ts';
import { CancelRegistry, PgSession, type Transport } from './session.ts';

/** Stop reading from a client whose unprocessed messages pile up beyond this. */
const MAX_QUEUED = 1024;

export async function listen(engine: Engine, options: ListenOptions): Promise<Listening> {
  const maxMessageLength = numberSetting(options.settings['maxMessageLength'], DEFAULT_MAX_MESSAGE_LENGTH);
  const cancels = new CancelRegistry();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    serve(engine, socket, cancels, maxMessageLength);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function numberSetting(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 4 ? v : fallback;
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

/** One connection: decoded messages are queued and served strictly in order, one at a time. */
function serve(engine: Engine, socket: Socket, cancels: CancelRegistry, maxMessageLength: number): void {
  const transport: Transport = {
    write: (bytes) => !socket.destroyed && socket.write(bytes),
    drained: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) resolve();
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      }),
    end: () => socket.end(),
    loopback: isLoopback(socket.remoteAddress),
  };
  const session = new PgSession(engine, transport, cancels);
  const decoder = new Decoder(maxMessageLength);
  const queue: (Decoded | { readonly violation: unknown })[] = [];
  let pumping = false;
  let broken = false;

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    while (queue.length > 0 && !session.closed) {
      const item = queue.shift()!;
      if ('violation' in item) await session.violation(item.violation);
      else await session.handle(item);
      if (queue.length < MAX_QUEUED / 2 && socket.isPaused()) socket.resume();
    }
    pumping = false;
  };

  socket.on('data', (chunk: Buffer) => {
    if (broken) return;
    try {
      for (const d of decoder.push(chunk)) queue.push(d);
    } catch (e) {
      broken = true;
      queue.push({ violation: e });
    }
    if (queue.length > MAX_QUEUED) socket.pause();
    void pump();
  });
  socket.on('error', () => session.close());
  socket.on('close', () => session.close());
}
