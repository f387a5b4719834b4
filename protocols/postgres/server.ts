// Binds the codec and the session state machine to TCP sockets (node:net: its write buffers for us), upgraded to TLS on request.
import { createServer, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Engine } from '../../runtime/index.ts';
import type { ListenOptions, Listening } from '../kit/listener.ts';
import { authConfig, type AuthConfig } from './auth.ts';
import { Decoder, DEFAULT_MAX_MESSAGE_LENGTH } from './codec.ts';
import { CancelRegistry, PgSession, type Inbound, type Transport } from './session.ts';
import { tlsConfig, type TlsConfig } from './tls.ts';

/** Stop reading from a client whose unprocessed messages pile up beyond this. */
const MAX_QUEUED = 1024;

export async function listen(engine: Engine, options: ListenOptions): Promise<Listening> {
  const maxMessageLength = numberSetting(options.settings['maxMessageLength'], DEFAULT_MAX_MESSAGE_LENGTH);
  const auth = authConfig(options.settings);
  const tls = tlsConfig(options.settings);
  // Without users every loopback client is trusted; listening on other addresses would invite the world in unchecked.
  if (auth.users.size === 0 && !isLoopbackHost(options.host)) {
    throw new Error(`refusing to listen on ${options.host} without users: add one with \`orbit user add NAME --config FILE\` or listen on 127.0.0.1`);
  }
  const cancels = new CancelRegistry();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    serve(engine, socket, { cancels, maxMessageLength, auth, tls, remoteAddress: socket.remoteAddress ?? '', encrypted: false });
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

/** What every connection of one listener shares, and what is known of this one. */
interface Connection {
  readonly cancels: CancelRegistry;
  readonly maxMessageLength: number;
  readonly auth: AuthConfig;
  readonly tls: TlsConfig | undefined;
  /** The client's address, taken once from the accepted socket and kept across the TLS upgrade. */
  readonly remoteAddress: string;
  readonly encrypted: boolean;
}

/** One connection: decoded messages are queued and served strictly in order, one at a time. */
function serve(engine: Engine, socket: Socket, conn: Connection): void {
  const { cancels, maxMessageLength, auth, tls } = conn;
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
    loopback: isLoopback(conn.remoteAddress),
    remoteAddress: conn.remoteAddress,
    encrypted: conn.encrypted,
    startTls: tls && !conn.encrypted ? () => startTls(tls.context) : undefined,
  };
  const session = new PgSession(engine, transport, cancels, auth, tls?.require ?? false);
  const decoder = new Decoder(maxMessageLength);
  let pumping = false;
  let broken = false;
  /** An SSLRequest is queued and will be answered 'S': the next bytes must be a TLS handshake. */
  let awaitingTls = false;
  /** Plain-text bytes came after that SSLRequest (CVE-2021-23214): the handshake is refused. */
  let strayPlainText = false;

  /**
   * After 'S' went out: the same socket carries TLS from now on, served afresh from the startup
   * phase (55.2 "SSL Session Encryption"). False when plain-text bytes followed the SSLRequest,
   * which a man in the middle could have injected, so they must never be read as if encrypted.
   */
  const startTls = (context: SecureContext): boolean => {
    if (strayPlainText) return false;
    socket.off('data', onData);
    socket.off('error', hangUp);
    socket.off('close', hangUp);
    const secure = new TLSSocket(socket, { isServer: true, secureContext: context });
    // A failed handshake (garbage, wrong protocol, a client rejecting our certificate) ends only this connection.
    secure.on('error', () => secure.destroy());
    serve(engine, secure, { ...conn, encrypted: true });
    return true;
  };

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

  const onData = (chunk: Buffer): void => {
    if (broken) return;
    if (awaitingTls) {
      strayPlainText = true;
      return;
    }
    try {
      for (const d of decoder.push(chunk)) {
        if (awaitingTls) {
          strayPlainText = true;
          break;
        }
        queue.push(d);
        if (transport.startTls && d.phase === 'startup' && d.message.type === 'ssl-request') awaitingTls = true;
      }
      if (awaitingTls && decoder.buffered > 0) strayPlainText = true;
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
  };
  socket.on('data', onData);
  const hangUp = (): void => {
    gone = true;
    waiter?.(undefined);
    waiter = undefined;
    session.close();
  };
  socket.on('error', hangUp);
  socket.on('close', hangUp);
}
