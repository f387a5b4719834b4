// Binds the codec and the session state machine to TCP sockets (node:net: its write buffers for us).
import { createServer, type Socket } from 'node:net';
import type { Engine } from '../../runtime/index.ts';
import type { ListenOptions, Listening } from '../kit/listener.ts';
import { authConfig, type AuthConfig } from './auth.ts';
import { Decoder, DEFAULT_MAX_MESSAGE_LENGTH } from './codec.ts';
import { CancelRegistry, PgSession, type Inbound, type Transport } from './session.ts';

/** Stop reading from a client whose unprocessed messages pile up beyond this. */
const MAX_QUEUED = 1024;

export async function listen(engine: Engine, options: ListenOptions): Promise<Listening> {
  const maxMessageLength = numberSetting(options.settings['maxMessageLength'], DEFAULT_MAX_MESSAGE_LENGTH);
  const auth = authConfig(options.settings);
  // Without users every loopback client is trusted; listening on other addresses would invite the world in unchecked.
  if (auth.users.size === 0 && !isLoopbackHost(options.host)) {
    throw new Error(`refusing to listen on ${options.host} without users: add one with \`orbit user add NAME --config FILE\` or listen on 127.0.0.1`);
  }
  const cancels = new CancelRegistry();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    serve(engine, socket, cancels, maxMessageLength, auth);
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

/** A listen address that only this machine can reach. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

/** One connection: decoded messages are queued and served strictly in order, one at a time. */
function serve(engine: Engine, socket: Socket, cancels: CancelRegistry, maxMessageLength: number, auth: AuthConfig): void {
  const queue: Inbound[] = [];
  /** A session reading mid-statement (COPY FROM STDIN) waiting for the next message. */
  let waiter: ((item: Inbound | undefined) => void) | undefined;
  let gone = false;
  const take = (): Inbound | undefined => {
    const item = queue.shift();
    if (queue.length < MAX_QUEUED / 2 && socket.isPaused()) socket.resume();
    return item;
  };
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
    next: () => {
      const item = take();
      if (item || gone) return Promise.resolve(item);
      return new Promise((resolve) => (waiter = resolve));
    },
    loopback: isLoopback(socket.remoteAddress),
  };
  const session = new PgSession(engine, transport, cancels, auth);
  const decoder = new Decoder(maxMessageLength);
  let pumping = false;
  let broken = false;

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    while (queue.length > 0 && !session.closed) {
      const item = take()!;
      if ('violation' in item) await session.violation(item.violation);
      else {
        await session.handle(item);
        if (session.authenticated) decoder.authenticated();
      }
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
    if (waiter && queue.length > 0) {
      const w = waiter;
      waiter = undefined;
      w(take());
    } else void pump();
  });
  const hangUp = (): void => {
    gone = true;
    waiter?.(undefined);
    waiter = undefined;
    session.close();
  };
  socket.on('error', hangUp);
  socket.on('close', hangUp);
}
