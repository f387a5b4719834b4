// Binds the decoder and session to TCP sockets with Bun.listen; a per-socket queue holds what the kernel did not take.
//
// Bun's socket.write() writes what it can and returns the count without buffering the rest
// (see the platform notes), so unsent bytes wait in a queue flushed on `drain`.
import type { Socket } from 'bun';
import { CommandTable } from '../../compiler/index.ts';
import { kv, type Engine } from '../../runtime/index.ts';
import { BusyPoll, busyPollSetting } from '../kit/busy-poll.ts';
import type { ListenOptions, Listening } from '../kit/listener.ts';
import { DEFAULT_LIMITS, type Limits } from './messages.ts';
import { DEFAULT_OUTPUT_LIMITS, formatOutputLimits, parseOutputLimits } from './commands.ts';
import { RespSession, type OutputLimit, type ServerContext } from './session.ts';

const NO_LIMIT: OutputLimit = { hard: 0, soft: 0, seconds: 0 };
/** Commands per quarter second below which the server counts as going idle, and after how many a collection is worth it. */
const IDLE_RATE = 250;
const BURST = 200_000;

interface Conn {
  session: RespSession | undefined;
  queue: Buffer[];
  queued: number;
  closing: boolean;
}

/** The command table is built once per process: parsing the specs is the start-up cost. */
let table: CommandTable | undefined;

function numberSetting(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/** Users from `protocols.resp.users` ({ name: password }) and `requirepass` (the `default` user). */
function usersFrom(settings: Readonly<Record<string, unknown>>): Map<string, string> {
  const users = new Map<string, string>();
  const rp = settings['requirepass'];
  if (typeof rp === 'string' && rp !== '') users.set('default', rp);
  const u = settings['users'];
  if (u && typeof u === 'object') for (const [name, pw] of Object.entries(u as Record<string, unknown>)) if (typeof pw === 'string') users.set(name, pw);
  return users;
}

export async function listen(engine: Engine, options: ListenOptions): Promise<Listening> {
  const st = options.settings;
  const durability = st['appendfsync'] === 'always' ? 'always' : 'everysec';
  const keyspace = kv.Keyspace.acquire(engine.dataDir, { durability, flushMs: numberSetting(st['flushMs'], 100) });
  table ??= new CommandTable();
  const limits: Limits = {
    maxBulkLength: numberSetting(st['protoMaxBulkLen'], DEFAULT_LIMITS.maxBulkLength),
    maxMultibulkLength: numberSetting(st['maxMultibulkLength'], DEFAULT_LIMITS.maxMultibulkLength),
    maxInlineLength: numberSetting(st['maxInlineLength'], DEFAULT_LIMITS.maxInlineLength),
  };
  const maxClients = numberSetting(st['maxclients'], 10000);
  const poll = new BusyPoll(busyPollSetting(st));
  const users = usersFrom(st);
  const defaults = parseOutputLimits(DEFAULT_OUTPUT_LIMITS, { normal: NO_LIMIT, pubsub: NO_LIMIT })!;
  const configured = st['clientOutputBufferLimit'];
  const outputLimits = (typeof configured === 'string' ? parseOutputLimits(configured, defaults) : undefined) ?? defaults;
  const ctx: ServerContext = {
    outputLimits,
    table,
    keyspace,
    shards: engine.kvShards,
    limits,
    sessions: new Map(),
    users,
    config: new Map([
      ['requirepass', users.get('default') ?? ''],
      ['appendfsync', durability],
      ['maxclients', String(maxClients)],
      ['databases', String(kv.DATABASES)],
      ['timeout', '0'],
      ['save', ''],
      ['appendonly', 'yes'],
      ['proto-max-bulk-len', String(limits.maxBulkLength)],
      ['port', String(options.port)],
      ['client-output-buffer-limit', formatOutputLimits(outputLimits)],
      // Read-only settings clients and tools ask for on connect (there is no eviction: memory is not capped).
      ['maxmemory', '0'],
      ['maxmemory-policy', 'noeviction'],
      ['maxmemory-clients', '0'],
      ['maxmemory-samples', '5'],
      ['maxmemory-eviction-tenacity', '10'],
      ['notify-keyspace-events', ''],
      ['replica-read-only', 'yes'],
      ['slave-read-only', 'yes'],
      ['cluster-enabled', 'no'],
      ['busy-reply-threshold', '5000'],
      ['lua-time-limit', '5000'],
      ['hz', '10'],
      ['tcp-keepalive', '300'],
    ]),
    startedAt: Date.now(),
    stats: { connections: 0, rejected: 0 },
    nextId: 1,
  };

  const flushQueue = (socket: Socket<Conn>): void => {
    const c = socket.data;
    while (c.queue.length > 0) {
      const head = c.queue[0]!;
      const n = socket.write(head);
      c.queued -= n;
      if (n < head.length) {
        c.queue[0] = head.subarray(n);
        return;
      }
      c.queue.shift();
    }
    if (c.closing) socket.end();
  };

  const server = Bun.listen<Conn>({
    hostname: options.host,
    port: options.port,
    socket: {
      open(socket) {
        socket.data = { session: undefined, queue: [], queued: 0, closing: false };
        ctx.stats.connections++;
        const c = socket.data;
        const remote = `${socket.remoteAddress}:${socket.remotePort ?? 0}`;
        const session = new RespSession(ctx, {
          write: (bytes, length) => {
            // The caller reuses `bytes`: whatever waits in the queue is a copy. Offset and length go to
            // the socket as they are, so a send makes no view of the buffer.
            if (c.queue.length === 0) {
              const n = socket.write(bytes, 0, length);
              if (n === length) return;
              c.queue.push(Buffer.from(bytes.subarray(Math.max(n, 0), length)));
              c.queued += length - Math.max(n, 0);
              return;
            }
            c.queue.push(Buffer.from(bytes.subarray(0, length)));
            c.queued += length;
          },
          get queued() {
            return c.queued;
          },
          end: (discard) => {
            c.closing = true;
            if (discard) {
              c.queue = [];
              c.queued = 0;
            }
            if (c.queue.length === 0) socket.end();
          },
          remote,
          local: `${options.host}:${port}`,
        });
        c.session = session;
        if (ctx.sessions.size > Number(ctx.config.get('maxclients'))) {
          ctx.stats.rejected++;
          session.out.error('ERR max number of clients reached');
          session.quit();
        }
      },
      data(socket, chunk) {
        socket.data.session?.receive(chunk);
        poll.activity();
      },
      drain(socket) {
        flushQueue(socket);
      },
      close(socket) {
        socket.data.session?.close();
      },
      error(socket) {
        socket.data.session?.close();
      },
    },
  });
  const port = server.port;
  ctx.config.set('port', String(port));

  // A burst of commands (a mass insert) leaves garbage that the collector, once traffic stops, may
  // not reclaim for minutes: the process would keep several times the keyspace's memory. When the
  // rate drops after a burst, collect once (a pause of tens of ms while nearly idle).
  let seen = keyspace.stats.commands;
  let sinceCollect = 0;
  const idleCollect = setInterval(() => {
    const n = keyspace.stats.commands - seen;
    seen += n;
    sinceCollect += n;
    if (n < IDLE_RATE && sinceCollect > BURST) {
      sinceCollect = 0;
      Bun.gc(true);
    }
  }, 250);
  idleCollect.unref();

  return {
    port,
    close: async () => {
      clearInterval(idleCollect);
      for (const s of [...ctx.sessions.values()]) s.close();
      server.stop(true);
      await keyspace.release(engine.dataDir);
    },
  };
}
