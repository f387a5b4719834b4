// Binds the codec and the session state machine to TCP sockets: Bun's own, or node:net's where TLS may be negotiated.
import type { Socket } from 'bun';
import { createServer, type Socket as NodeSocket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Engine } from '../../runtime/index.ts';
import { BusyPoll, busyPollSetting } from '../kit/busy-poll.ts';
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
  const shared: Shared = { engine, cancels: new CancelRegistry(), maxMessageLength, auth, tls, poll: new BusyPoll(busyPollSetting(options.settings)) };
  // Bun's own sockets cost about a third less per round trip than node:net's streams; the TLS upgrade
  // after an SSLRequest needs a node:net socket to wrap, so a listener with TLS configured uses those.
  return tls ? listenNode(shared, options) : listenBun(shared, options);
}

/** What every connection of one listener shares. */
interface Shared {
  readonly engine: Engine;
  readonly cancels: CancelRegistry;
  readonly maxMessageLength: number;
  readonly auth: AuthConfig;
  readonly tls: TlsConfig | undefined;
  readonly poll: BusyPoll;
}

/** A plain-text listener on Bun sockets: a per-socket queue holds what the kernel did not take (`write` does not buffer). */
function listenBun(shared: Shared, options: ListenOptions): Listening {
  interface BunConn {
    /** Bytes the kernel did not take yet, in order. */
    queue: Uint8Array[];
    /** Writers waiting for the queue to empty. */
    drained: (() => void)[];
    ending: boolean;
    closed: boolean;
    paused: boolean;
    onData: (chunk: Uint8Array) => void;
    hangUp: () => void;
  }
  const flush = (socket: Socket<BunConn>): void => {
    const c = socket.data;
    while (c.queue.length > 0) {
      const head = c.queue[0]!;
      const n = socket.write(head);
      if (n < 0) {
        c.queue = [];
        break;
      }
      if (n < head.length) {
        c.queue[0] = head.subarray(n);
        return;
      }
      c.queue.shift();
    }
    if (c.ending) socket.end();
    for (const w of c.drained.splice(0)) w();
  };
  const sockets = new Set<Socket<BunConn>>();
  const server = Bun.listen<BunConn>({
    hostname: options.host,
    port: options.port,
    socket: {
      open(socket) {
        sockets.add(socket);
        socket.setNoDelay(true);
        const c: BunConn = { queue: [], drained: [], ending: false, closed: false, paused: false, onData: () => {}, hangUp: () => {} };
        socket.data = c;
        const wire: Wire = {
          write: (bytes) => {
            if (c.closed || c.ending) return true;
            if (c.queue.length === 0) {
              const n = socket.write(bytes);
              if (n < 0 || n === bytes.length) return true;
              c.queue.push(bytes.subarray(n));
              return false;
            }
            c.queue.push(bytes);
            return false;
          },
          drained: () => (c.queue.length === 0 || c.closed ? Promise.resolve() : new Promise<void>((resolve) => c.drained.push(resolve))),
          end: () => {
            c.ending = true;
            if (c.queue.length === 0) socket.end();
          },
          pause: () => {
            c.paused = true;
            socket.pause();
          },
          resume: () => {
            c.paused = false;
            socket.resume();
          },
          get paused() {
            return c.paused;
          },
        };
        const handlers = serve(shared, wire, { remoteAddress: socket.remoteAddress, encrypted: false, startTls: undefined });
        c.onData = handlers.onData;
        c.hangUp = handlers.hangUp;
      },
      data(socket, chunk) {
        socket.data.onData(chunk);
      },
      drain(socket) {
        flush(socket);
      },
      close(socket) {
        const c = socket.data;
        sockets.delete(socket);
        c.closed = true;
        for (const w of c.drained.splice(0)) w();
        c.hangUp();
      },
      error(socket) {
        socket.data.hangUp();
      },
    },
  });
  return {
    port: server.port,
    close: async () => {
      server.stop(true);
      for (const s of sockets) s.terminate();
    },
  };
}

/** A listener on node:net sockets, whose connections can be upgraded to TLS after an SSLRequest. */
async function listenNode(shared: Shared, options: ListenOptions): Promise<Listening> {
  const sockets = new Set<NodeSocket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    serveNode(shared, socket, socket.remoteAddress ?? '', false);
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

/** One node:net (or TLS) connection; `startTls` hands the socket to a TLS handshake and a fresh session. */
function serveNode(shared: Shared, socket: NodeSocket, remoteAddress: string, encrypted: boolean): void {
  const wire: Wire = {
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
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    get paused() {
      return socket.isPaused();
    },
  };
  const tls = shared.tls;
  const startTls =
    tls && !encrypted
      ? (): void => {
          socket.off('data', handlers.onData);
          socket.off('error', handlers.hangUp);
          socket.off('close', handlers.hangUp);
          const secure = new TLSSocket(socket, { isServer: true, secureContext: tls.context });
          // A failed handshake (garbage, wrong protocol, a client rejecting our certificate) ends only this connection.
          secure.on('error', () => secure.destroy());
          serveNode(shared, secure, remoteAddress, true);
        }
      : undefined;
  const handlers = serve(shared, wire, { remoteAddress, encrypted, startTls });
  socket.on('data', handlers.onData);
  socket.on('error', handlers.hangUp);
  socket.on('close', handlers.hangUp);
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

/** The byte pipe under one connection: a Bun socket, or a node:net (or TLS) socket. */
interface Wire {
  /** Takes ownership of `bytes`; false means some were queued and `drained()` should be awaited. */
  write(bytes: Uint8Array): boolean;
  drained(): Promise<void>;
  /** Closes after everything written so far has been sent. */
  end(): void;
  pause(): void;
  resume(): void;
  readonly paused: boolean;
}

/** What is known of one connection. */
interface Peer {
  /** The client's address, taken once from the accepted socket and kept across the TLS upgrade. */
  readonly remoteAddress: string;
  readonly encrypted: boolean;
  /** Present when TLS is configured and not yet in use: moves the socket to a TLS handshake and a fresh session. */
  readonly startTls: (() => void) | undefined;
}

/** One connection: decoded messages are queued and served strictly in order, one at a time. */
function serve(shared: Shared, wire: Wire, peer: Peer): { onData: (chunk: Uint8Array) => void; hangUp: () => void } {
  const { engine, cancels, maxMessageLength, auth, tls, poll } = shared;
  const queue: Inbound[] = [];
  /** A session reading mid-statement (COPY FROM STDIN) waiting for the next message. */
  let waiter: ((item: Inbound | undefined) => void) | undefined;
  let gone = false;
  const take = (): Inbound | undefined => {
    const item = queue.shift();
    if (queue.length < MAX_QUEUED / 2 && wire.paused) wire.resume();
    return item;
  };
  const transport: Transport = {
    write: (bytes) => wire.write(bytes),
    drained: () => wire.drained(),
    end: () => wire.end(),
    next: () => {
      const item = take();
      if (item || gone) return Promise.resolve(item);
      return new Promise((resolve) => (waiter = resolve));
    },
    loopback: isLoopback(peer.remoteAddress),
    remoteAddress: peer.remoteAddress,
    encrypted: peer.encrypted,
    startTls: peer.startTls
      ? () => {
          // Plain-text bytes after the SSLRequest (CVE-2021-23214): refuse rather than read them as if encrypted.
          if (strayPlainText) return false;
          peer.startTls!();
          return true;
        }
      : undefined,
  };
  const session = new PgSession(engine, transport, cancels, auth, tls?.require ?? false);
  const decoder = new Decoder(maxMessageLength);
  let pumping = false;
  let broken = false;
  /** An SSLRequest is queued and will be answered 'S': the next bytes must be a TLS handshake. */
  let awaitingTls = false;
  /** Plain-text bytes came after that SSLRequest (CVE-2021-23214): the handshake is refused. */
  let strayPlainText = false;

  /** Serves queued messages in order; one that has to wait resumes the rest when it settles. */
  const pump = (): void => {
    if (pumping) return;
    pumping = true;
    while (queue.length > 0 && !session.closed) {
      const item = take()!;
      if ('violation' in item) {
        void session.violation(item.violation).then(resume, resume);
        return;
      }
      const pending = session.handle(item);
      if (pending) {
        void pending.then(resumeAfterMessage, resumeAfterMessage);
        return;
      }
      if (session.authenticated) decoder.authenticated();
    }
    pumping = false;
  };
  const resume = (): void => {
    pumping = false;
    pump();
  };
  const resumeAfterMessage = (): void => {
    if (session.authenticated) decoder.authenticated();
    resume();
  };

  const onData = (chunk: Uint8Array): void => {
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
    if (queue.length > MAX_QUEUED) wire.pause();
    if (waiter && queue.length > 0) {
      const w = waiter;
      waiter = undefined;
      w(take());
    } else pump();
    // Answered (or under way): the client's next request may be close behind.
    poll.activity();
  };
  const hangUp = (): void => {
    gone = true;
    waiter?.(undefined);
    waiter = undefined;
    session.close();
  };
  return { onData, hangUp };
}
