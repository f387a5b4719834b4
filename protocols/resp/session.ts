// One connection's state machine: auth, RESP2/3, selected db, MULTI/EXEC/WATCH, pub/sub mode, blocking.
//
// Commands of one received packet run synchronously, their replies collected in one writer and sent in
// one write. A blocked command (BLPOP …) or, under `appendfsync always`, a pending disk write holds the
// connection: later commands stay in the decoder until it resumes, so replies keep request order.
import type { CommandTable, KeyOp } from '../../compiler/index.ts';
import { kv } from '../../runtime/index.ts';
import { Decoder, ProtocolError } from './codec.ts';
import { RespWriter } from './encode-result.ts';
import { RESP_ERRORS, callFailureText, protocolErrorText } from './errors.ts';
import type { Argv, Limits } from './messages.ts';
import { sessionCommands as SESSION_COMMANDS } from './commands.ts';

/** What the session needs of its socket. */
export interface Transport {
  /**
   * Sends the first `length` bytes of `bytes`; they may be reused once it returns, so what the socket
   * did not take must be copied.
   */
  write(bytes: Buffer, length: number): void;
  /** Bytes queued for the socket and not yet sent (for the output buffer limit). */
  readonly queued: number;
  /** Closes after sending what is queued, or at once dropping it when `discard` (output limit exceeded). */
  end(discard?: boolean): void;
  readonly remote: string;
  readonly local: string;
}

/** One class's client-output-buffer-limit: bytes (0 = none) and seconds over the soft limit allowed. */
export interface OutputLimit {
  readonly hard: number;
  readonly soft: number;
  readonly seconds: number;
}

/** Server-wide state every session shares. */
export interface ServerContext {
  /** client-output-buffer-limit for normal and pub/sub clients (parsed from `config`). */
  outputLimits: { normal: OutputLimit; pubsub: OutputLimit };
  readonly table: CommandTable;
  readonly keyspace: kv.Keyspace;
  /** The keyspace's shards when the server runs in a cluster; undefined in a single process (every key is here). */
  readonly shards: kv.KvShards | undefined;
  readonly limits: Limits;
  readonly sessions: Map<number, RespSession>;
  /** username → password; `default` is the requirepass user. Empty: no authentication. */
  readonly users: Map<string, string>;
  readonly config: Map<string, string>;
  readonly startedAt: number;
  readonly stats: { connections: number; rejected: number };
  nextId: number;
}

/** Commands allowed in RESP2 subscribed mode. */
const SUBSCRIBED_OK = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'PING', 'QUIT', 'RESET']);

export class RespSession implements kv.KvClient, kv.Subscriber, kv.WatchHandle {
  readonly id: number;
  db = 0;
  name = '';
  user = 'default';
  authenticated: boolean;
  closed = false;
  dirty = false;
  readonly out = new RespWriter();
  private readonly decoder: Decoder;
  private multi: KeyOp[] | undefined;
  private multiFailed = false;
  private readonly watched = new Set<string>();
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  private held = false;
  private blockedOn: kv.Waiter | undefined;
  private blockTimer: ReturnType<typeof setTimeout> | undefined;
  readonly createdAt = Date.now();
  /** Upper-case name of the last command (CLIENT LIST's `cmd`, shown lower-case). */
  lastCommand = 'NULL';
  noEvict = false;
  /** When the output queue went over the soft limit (0: it is not over). */
  private softSince = 0;
  /** Running the commands queued by MULTI: none of them may hold the connection. */
  private inExec = false;
  /**
   * Set by a command that keeps its argv or op after it returns (queued by MULTI, blocked, waiting
   * for the disk). Otherwise both go back for reuse: the decoder decodes a later request into the
   * argv, and the op of a command matched by position is reset for the next one, so a request
   * allocates neither.
   */
  private retained = false;
  private spareOp: KeyOp | undefined;

  constructor(
    readonly ctx: ServerContext,
    private readonly transport: Transport,
  ) {
    this.id = ctx.nextId++;
    this.decoder = new Decoder(ctx.limits);
    this.authenticated = ctx.users.size === 0;
    ctx.sessions.set(this.id, this);
  }

  get ks(): kv.Keyspace {
    return this.ctx.keyspace;
  }

  // ─── Input ───────────────────────────────────────────────────────────

  /** Bytes from the socket. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.decoder.push(chunk);
    if (!this.held) this.run();
  }

  /** Runs every complete command buffered, then sends the replies in one write. */
  private run(): void {
    const ks = this.ks;
    for (;;) {
      if (this.held || this.closed) break;
      let argv: Argv | undefined;
      try {
        argv = this.decoder.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.out.error(protocolErrorText(e.message));
        this.send();
        this.close();
        return;
      }
      if (!argv) break;
      this.command(argv);
      if (this.retained) {
        this.retained = false;
        this.spareOp = undefined;
      } else this.decoder.recycle(argv);
    }
    if (!this.held && ks.durability === 'always' && ks.pendingWrites && this.out.length > 0) {
      // appendfsync always: the replies wait until the writes they acknowledge are on disk.
      this.held = true;
      const bytes = this.out.take();
      void ks.flush().then(() => {
        if (this.closed) return;
        this.transport.write(bytes, bytes.length);
        this.held = false;
        this.run();
      });
      return;
    }
    this.send();
  }

  /** Sends what the writer holds, then enforces the client's output buffer limit. */
  send(): void {
    if (this.out.length === 0 || this.closed) return;
    this.transport.write(this.out.buffer, this.out.length);
    this.out.clear();
    const queued = this.transport.queued;
    if (queued === 0) {
      this.softSince = 0;
      return;
    }
    this.checkOutputLimit(queued);
  }

  /**
   * Redis's client-output-buffer-limit: past the hard limit, or past the soft limit for longer than
   * its seconds, the client is disconnected (a reader that never reads cannot grow the server's memory).
   */
  private checkOutputLimit(queued: number): void {
    const limits = this.ctx.outputLimits;
    const l = this.channels.size + this.patterns.size > 0 ? limits.pubsub : limits.normal;
    if (l.hard > 0 && queued > l.hard) return this.close(true);
    if (l.soft === 0 || queued <= l.soft) {
      this.softSince = 0;
      return;
    }
    const now = Date.now();
    if (this.softSince === 0) this.softSince = now;
    else if (now - this.softSince >= l.seconds * 1000) this.close(true);
  }

  /**
   * Holds this client's later commands until `done` settles, then writes `reply` (or the failure) in
   * order: SAVE answers only once the keyspace is on disk.
   */
  waitFor(done: Promise<unknown>, reply: () => void): void {
    // Inside EXEC the queued commands after this one reply at once: answer now, keeping their order.
    if (this.inExec) {
      void done.catch(() => undefined);
      return reply();
    }
    this.held = true;
    this.retained = true;
    const resume = (): void => {
      if (this.closed) return;
      this.held = false;
      this.run();
    };
    done.then(
      () => {
        reply();
        resume();
      },
      (e: unknown) => {
        this.out.error(`ERR ${e instanceof Error ? e.message : String(e)}`);
        resume();
      },
    );
  }

  // ─── Dispatch ────────────────────────────────────────────────────────

  private command(argv: Argv): void {
    const ks = this.ks;
    ks.stats.commands++;
    let compiled = this.ctx.table.compile(argv, this.spareOp);
    this.spareOp = undefined;
    // Clashing keywords some commands accept (`EXPIRE key 10 XX GT`): run the call as matched.
    if (compiled.kind === 'exclusive' && kv.exclusiveOptionsError(compiled.op.command, compiled.first, compiled.second) === undefined) compiled = compiled.op;
    if (compiled.kind !== 'key-op') {
      if (this.multi) this.multiFailed = true;
      if (compiled.kind === 'unknown-command' && !this.authenticated) return this.out.error(RESP_ERRORS.noauth);
      return this.out.error(callFailureText(compiled, argv[0]));
    }
    const op = compiled;
    // Reused by the next command unless this one keeps it (`retained`, checked once it returns).
    this.spareOp = op;
    this.lastCommand = op.command;
    if (!this.authenticated && !NO_AUTH.has(op.command)) {
      if (this.multi) this.multiFailed = true;
      return this.out.error(RESP_ERRORS.noauth);
    }
    if (this.out.protocol === 2 && this.channels.size + this.patterns.size > 0 && !SUBSCRIBED_OK.has(op.command)) {
      return this.out.error(`ERR Can't execute '${op.command.toLowerCase().replace('|', ' ')}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
    }
    if (this.multi && !IN_MULTI.has(op.command)) {
      if (this.ctx.shards !== undefined && this.routed(op, true)) {
        this.multiFailed = true;
        return;
      }
      this.retained = true;
      this.multi.push(op);
      return this.out.simple('QUEUED');
    }
    // A single process owns every key: no shard is looked up.
    if (this.ctx.shards !== undefined && this.routed(op, false)) return;
    this.execute(op, true);
  }

  /**
   * Cluster mode: whether the command was answered here because of where its keys live. Keys in
   * different shards get CROSSSLOT; keys of a shard this node owns (or no keys) run here as usual
   * (false). Otherwise the command goes to the shard's owner and its recorded reply is encoded here,
   * in this client's protocol; a command that must stay on this connection (queued by MULTI,
   * blocking, WATCH) is refused instead.
   */
  private routed(op: KeyOp, queued: boolean): boolean {
    const shards = this.ctx.shards!;
    const spec = this.ctx.table.resolve(op.argv);
    if ('kind' in spec) return false;
    const shard = kv.commandShard(spec, op);
    if (shard === kv.NO_KEYS) return false;
    if (shard === kv.CROSS_SHARD) {
      this.out.error(RESP_ERRORS.crossslot);
      return true;
    }
    if (shards.hosts(shard)) return false;
    if (queued || op.command === 'WATCH' || spec.flags.includes('blocking')) {
      this.out.error(RESP_ERRORS.remote_shard.replace('%s', queued ? 'MULTI' : op.command));
      return true;
    }
    let reply: kv.RecordedReply = [];
    const done = shards.run(shard, this.db, op.argv, this.out.protocol).then((r) => {
      reply = r;
    });
    this.waitFor(done, () => kv.replayReply(reply, this.out));
    return true;
  }

  /** Runs one matched command; `mayBlock` is false inside EXEC (blocking commands return at once there). */
  private execute(op: KeyOp, mayBlock: boolean): void {
    // The two tables share no name; the keyspace's is asked first since nearly every request is there.
    const h = kv.KV_HANDLERS.get(op.command);
    try {
      if (!h) {
        const own = SESSION_COMMANDS.get(op.command);
        if (own) return own(this, op);
        return this.out.error(callFailureText({ kind: 'unknown-command', name: op.argv[0]!, args: op.argv.slice(1) }));
      }
      const r = h(this.ks, op, this, this.out);
      if (r) {
        if (mayBlock) this.block(r);
        else r.timeout(this.out);
      }
    } catch (e) {
      // Anything else (a reply too large to build) still answers this client and keeps the connection.
      this.out.error(e instanceof kv.KvError ? e.message : `ERR ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private block(b: kv.Block): void {
    this.held = true;
    this.retained = true;
    const waiter: kv.Waiter = {
      db: this.db,
      keys: b.keys,
      retry: () => {
        if (this.closed) return true;
        let served: boolean;
        try {
          served = b.retry(this.out);
        } catch (e) {
          if (!(e instanceof kv.KvError)) throw e;
          this.out.error(e.message);
          served = true;
        }
        if (served) this.unblock();
        return served;
      },
    };
    this.blockedOn = waiter;
    this.ks.addWaiter(waiter);
    if (b.deadline > 0) {
      this.blockTimer = setTimeout(() => {
        this.ks.removeWaiter(waiter);
        b.timeout(this.out);
        this.unblock();
      }, Math.max(0, b.deadline - Date.now()));
    }
  }

  private unblock(): void {
    if (this.blockTimer) clearTimeout(this.blockTimer);
    this.blockTimer = undefined;
    this.blockedOn = undefined;
    this.held = false;
    // Later commands of the same client were waiting in the decoder.
    queueMicrotask(() => this.run());
  }

  /** Whether the client waits in a blocking command (CLIENT LIST flags). */
  get blocked(): boolean {
    return this.blockedOn !== undefined;
  }

  // ─── Pub/sub delivery (kv.Subscriber) ────────────────────────────────

  message(channel: string, message: string): void {
    this.out.push(3);
    this.out.bulk('message');
    this.out.bulk(channel);
    this.out.bulk(message);
    if (!this.held) this.send();
  }

  pmessage(pattern: string, channel: string, message: string): void {
    this.out.push(4);
    this.out.bulk('pmessage');
    this.out.bulk(pattern);
    this.out.bulk(channel);
    this.out.bulk(message);
    if (!this.held) this.send();
  }

  // ─── Transactions ────────────────────────────────────────────────────

  beginMulti(): void {
    if (this.multi) return this.out.error(RESP_ERRORS.multi_nested);
    this.multi = [];
    this.multiFailed = false;
    this.out.simple('OK');
  }

  exec(): void {
    const queued = this.multi;
    if (!queued) return this.out.error(RESP_ERRORS.exec_without_multi);
    this.multi = undefined;
    const failed = this.multiFailed;
    const conflict = this.dirty;
    this.unwatchAll();
    if (failed) return this.out.error(RESP_ERRORS.execabort);
    if (conflict) return this.out.nullArray();
    this.out.array(queued.length);
    this.inExec = true;
    try {
      for (const op of queued) this.execute(op, false);
    } finally {
      this.inExec = false;
    }
  }

  discard(): void {
    if (!this.multi) return this.out.error(RESP_ERRORS.discard_without_multi);
    this.multi = undefined;
    this.unwatchAll();
    this.out.simple('OK');
  }

  watch(keys: readonly string[]): void {
    if (this.multi) return this.out.error(RESP_ERRORS.watch_in_multi);
    for (const k of keys) {
      this.ks.watch(this.db, k, this);
      this.watched.add(`${this.db}\u0000${k}`);
    }
    this.out.simple('OK');
  }

  unwatchAll(): void {
    for (const w of this.watched) {
      const at = w.indexOf('\u0000');
      this.ks.unwatch(Number(w.slice(0, at)), w.slice(at + 1), this);
    }
    this.watched.clear();
    this.dirty = false;
  }

  get inMulti(): boolean {
    return this.multi !== undefined;
  }

  // ─── Pub/sub subscriptions ───────────────────────────────────────────

  subscribe(kind: 'subscribe' | 'psubscribe', names: readonly string[]): void {
    const ps = this.ks.pubsub;
    for (const n of names) {
      if (kind === 'subscribe') {
        ps.subscribe(this, n);
        this.channels.add(n);
      } else {
        ps.psubscribe(this, n);
        this.patterns.add(n);
      }
      this.out.push(3);
      this.out.bulk(kind);
      this.out.bulk(n);
      this.out.integer(this.channels.size + this.patterns.size);
    }
  }

  unsubscribe(kind: 'unsubscribe' | 'punsubscribe', names: readonly string[]): void {
    const ps = this.ks.pubsub;
    const set = kind === 'unsubscribe' ? this.channels : this.patterns;
    const list = names.length > 0 ? names : [...set];
    if (list.length === 0) {
      this.out.push(3);
      this.out.bulk(kind);
      this.out.bulk(null);
      this.out.integer(this.channels.size + this.patterns.size);
      return;
    }
    for (const n of list) {
      if (kind === 'unsubscribe') ps.unsubscribe(this, n);
      else ps.punsubscribe(this, n);
      set.delete(n);
      this.out.push(3);
      this.out.bulk(kind);
      this.out.bulk(n);
      this.out.integer(this.channels.size + this.patterns.size);
    }
  }

  // ─── Lifecycle ───────────────────────────────────────────────────────

  /** RESET: back to a fresh connection's state (spec: RESET command). */
  reset(): void {
    this.multi = undefined;
    this.unwatchAll();
    for (const c of this.channels) this.ks.pubsub.unsubscribe(this, c);
    for (const p of this.patterns) this.ks.pubsub.punsubscribe(this, p);
    this.channels.clear();
    this.patterns.clear();
    this.db = 0;
    this.name = '';
    this.out.protocol = 2;
    this.user = 'default';
    this.authenticated = this.ctx.users.size === 0;
    this.noEvict = false;
  }

  /** Ends the connection after sending what is pending. */
  quit(): void {
    this.send();
    this.close();
  }

  /** Ends the connection; `discard` drops replies the socket has not taken yet. */
  close(discard = false): void {
    if (this.closed) return;
    this.reset();
    this.closed = true;
    if (this.blockedOn) this.ks.removeWaiter(this.blockedOn);
    if (this.blockTimer) clearTimeout(this.blockTimer);
    this.ctx.sessions.delete(this.id);
    this.transport.end(discard);
  }

  /** The CLIENT LIST / CLIENT INFO line for this connection. */
  info(): string {
    const now = Date.now();
    const flags = (this.multi ? 'x' : '') + (this.blocked ? 'b' : '') + (this.channels.size + this.patterns.size > 0 ? 'P' : '') + (this.noEvict ? 'e' : '') || 'N';
    return (
      `id=${this.id} addr=${this.transport.remote} laddr=${this.transport.local} fd=${this.id + 7} name=${this.name} ` +
      `age=${Math.floor((now - this.createdAt) / 1000)} idle=0 flags=${flags} db=${this.db} sub=${this.channels.size} psub=${this.patterns.size} ` +
      `ssub=0 multi=${this.multi ? this.multi.length : -1} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=${this.transport.queued} ` +
      `tot-mem=0 events=r cmd=${this.lastCommand === 'NULL' ? 'NULL' : this.lastCommand.toLowerCase()} user=${this.user} redir=-1 resp=${this.out.protocol}`
    );
  }

  get remote(): string {
    return this.transport.remote;
  }

  get local(): string {
    return this.transport.local;
  }
}

/** Commands a client may send before authenticating. */
const NO_AUTH = new Set(['AUTH', 'HELLO', 'QUIT', 'RESET']);

/** Commands that run at once inside MULTI instead of being queued. */
const IN_MULTI = new Set(['EXEC', 'DISCARD', 'MULTI', 'WATCH', 'QUIT', 'RESET']);
