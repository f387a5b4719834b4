// One client connection's protocol state machine (docs 55.2): startup, then simple and extended query flows.
//
// States: startup → (authenticating) → ready ⇄ (extended batch, or skipping to Sync after an error) → closed.
// Only `Engine`/`Session` calls reach the database; all bytes go out through `Transport`.
import type { DataType } from '../../compiler/index.ts';
import { OrbitError, type Engine, type PreparedStatement, type ResultColumn, type ResultEvent, type RowBatch, type Session } from '../../runtime/index.ts';
import { ByteWriter, utf8 } from '../kit/bytes.ts';
import { AuthProtocolError, Authenticator, type AuthConfig, type AuthStep } from './auth.ts';
import { asciiText, type Decoded } from './codec.ts';
import { BinaryCopyDecoder, writeBinaryCopyHeader, writeBinaryCopyRow, writeBinaryCopyTrailer } from './copy-binary.ts';
import { decodeBinaryParam, typeModifier, typeOfOid, typeOid, typeSize, writeField } from './encode-result.ts';
import { asOrbitError, writeError, writeNotice } from './errors.ts';
import { B, type FrontendMessage, type StartupMessage } from './messages.ts';

/** A decoded message, or the decoder's complaint about the bytes where the next one should be. */
export type Inbound = Decoded | { readonly violation: unknown };

/** What the state machine needs of the connection under it. */
export interface Transport {
  /** Queues bytes (the transport keeps them: pass a buffer not written to again); false means the socket's buffer is full and `drained()` should be awaited. */
  write(bytes: Uint8Array): boolean;
  drained(): Promise<void>;
  /** Closes the connection after everything written so far has been sent. */
  end(): void;
  /** The next message from the client, taken while a statement runs (COPY FROM STDIN); undefined once the connection is gone. */
  next(): Promise<Inbound | undefined>;
  readonly loopback: boolean;
  /** The client's IP address, as pg_hba.conf errors name it. */
  readonly remoteAddress: string;
  /** TLS is in use on this connection. */
  readonly encrypted: boolean;
  /**
   * Present when TLS is configured and not yet in use: called once 'S' has been sent, it hands the
   * socket to a TLS handshake and a fresh session. False means plain-text bytes followed the
   * SSLRequest and the connection must be refused instead.
   */
  readonly startTls: (() => boolean) | undefined;
}

/** Backend keys of live connections, for CancelRequest (55.2.7). */
export class CancelRegistry {
  private readonly byPid = new Map<number, { secret: number; cancel: () => void }>();

  /** The process id is the engine session's id, so pg_backend_pid() names the same connection. */
  register(session: Session, cancel: () => void): { pid: number; secret: number } {
    const pid = session.id;
    const secret = (Math.random() * 0x7fffffff) | 0;
    this.byPid.set(pid, { secret, cancel });
    return { pid, secret };
  }

  remove(pid: number): void {
    this.byPid.delete(pid);
  }

  /** Cancels the running statement of the connection with this key; a wrong secret does nothing, as in PostgreSQL. */
  cancel(pid: number, secret: number): void {
    const e = this.byPid.get(pid);
    if (e && e.secret === secret) e.cancel();
  }
}

interface Statement {
  readonly sql: string;
  readonly empty: boolean;
  /** Types the client declared in Parse (undefined = infer). */
  readonly declared: readonly (DataType | undefined)[];
  readonly paramTypes: readonly DataType[];
  readonly columns: readonly ResultColumn[];
  /** The engine's compiled form, run directly when an Execute asks for every row. */
  readonly prepared: PreparedStatement | undefined;
}

interface Portal {
  readonly statement: Statement;
  readonly params: readonly unknown[];
  readonly formats: readonly number[];
  events: AsyncGenerator<ResultEvent> | undefined;
  /** Rows of a batch not yet sent when the last Execute hit its row limit. */
  pending: { batch: RowBatch; offset: number } | undefined;
  /** The CommandComplete tag once the statement has finished. */
  tag: string | undefined;
}

/** Flush to the socket once this much output has accumulated, even before Sync. */
const FLUSH_AT = 64 * 1024;

/** A long statement yields to the event loop this often, so other clients and CancelRequests are served. */
const YIELD_EVERY_MS = 10;

const STATUS = { idle: 0x49, transaction: 0x54, failed: 0x45 } as const;

/** AuthenticationRequest codes (55.7 "AuthenticationOk" and its siblings). */
const AUTH = { ok: 0, cleartext: 3, md5: 5, sasl: 10, saslContinue: 11, saslFinal: 12 } as const;

export class PgSession {
  private state: 'startup' | 'authenticating' | 'ready' | 'closed' = 'startup';
  private authenticator: Authenticator | undefined;
  private startupParams: Readonly<Record<string, string>> = {};
  private readonly out = new ByteWriter(16 * 1024);
  private session: Session | undefined;
  private pid = 0;
  private readonly statements = new Map<string, Statement>();
  private readonly portals = new Map<string, Portal>();
  /** After an error in an extended-protocol batch, messages are skipped until Sync. */
  private skipping = false;
  private reported = new Map<string, string>();
  private lastYield = 0;
  /** COPY TO STDOUT is sending: CopyDone goes out before its CommandComplete. */
  private copyingOut = false;
  /** Binary COPY TO STDOUT: the column types, and the header not yet sent (it rides with the first CopyData). */
  private copyBinary: { types: readonly DataType[]; header: boolean } | undefined;
  /** A CancelRequest arrived for the statement running now. */
  private cancelRequested = false;

  constructor(
    private readonly engine: Engine,
    private readonly transport: Transport,
    private readonly cancels: CancelRegistry,
    private readonly auth: AuthConfig,
    /** Only clients that negotiated TLS may log in (a pg_hba.conf of `hostssl` lines). */
    private readonly requireTls = false,
  ) {}

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** True once the client has logged in (the decoder then accepts long messages). */
  get authenticated(): boolean {
    return this.state === 'ready';
  }

  /**
   * Serves one decoded message; never throws. Messages answered without waiting (Parse, Bind,
   * Describe: most of an extended-protocol round trip) return undefined instead of a promise.
   */
  handle(d: Decoded): Promise<void> | undefined {
    if (this.state === 'closed') return undefined;
    try {
      const pending = d.phase === 'startup' ? this.startup(d.message) : this.message(d.message);
      return pending?.catch((e: unknown) => this.fail(asOrbitError(e)));
    } catch (e) {
      return this.fail(asOrbitError(e));
    }
  }

  /** Answers a protocol violation found by the decoder with a FATAL error and closes. */
  async violation(e: unknown): Promise<void> {
    if (this.state === 'closed') return;
    await this.fatal(asOrbitError(e));
  }

  /** The connection went away: end the engine session and forget its cancel key. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const p of this.portals.values()) void this.stopPortal(p);
    this.portals.clear();
    this.session?.close();
    if (this.pid) this.cancels.remove(this.pid);
  }

  private async startup(m: StartupMessage): Promise<void> {
    switch (m.type) {
      case 'ssl-request':
        if (this.transport.startTls) {
          // 'S', then the TLS handshake; the encrypted connection starts again with its own startup (55.2 "SSL Session Encryption").
          this.out.u8(0x53);
          await this.flush();
          if (!this.transport.startTls()) {
            await this.fatal(new OrbitError('08P01', 'received unencrypted data after SSL request', { severity: 'FATAL' }));
            return;
          }
          this.state = 'closed';
          return;
        }
        if (this.transport.encrypted) {
          // A second SSLRequest inside TLS is no request code PostgreSQL knows at that point.
          await this.fatal(new OrbitError('0A000', 'unsupported frontend protocol 1234.5679: server supports 3.0', { severity: 'FATAL' }));
          return;
        }
        // No TLS configured: 'N' and the client goes on in plain text (or gives up, if it insisted).
        this.out.u8(0x4e);
        await this.flush();
        return;
      case 'gssenc-request':
        // No GSSAPI encryption: 'N' and the client goes on in plain text or asks for TLS.
        this.out.u8(0x4e);
        await this.flush();
        return;
      case 'cancel':
        this.cancels.cancel(m.pid, m.secret);
        this.close();
        this.transport.end();
        return;
      case 'startup':
        break;
    }
    const user = m.params['user'];
    if (!user) {
      await this.fatal(new OrbitError('28000', 'no PostgreSQL user name specified in startup packet', { severity: 'FATAL' }));
      return;
    }
    this.startupParams = m.params;
    if (this.requireTls && !this.transport.encrypted) {
      // PostgreSQL's wording when no pg_hba.conf line admits a connection without encryption.
      const database = m.params['database'] || user;
      await this.fatal(new OrbitError('28000', `no pg_hba.conf entry for host "${this.transport.remoteAddress}", user "${user}", database "${database}", no encryption`, { severity: 'FATAL' }));
      return;
    }
    if (this.auth.users.size > 0) {
      // Users are configured: everyone, loopback included, proves a password (55.3).
      this.authenticator = new Authenticator(this.auth, user);
      this.state = 'authenticating';
      await this.authStep(this.authenticator.start(), user);
      return;
    }
    if (!this.transport.loopback) {
      await this.fatal(new OrbitError('28000', `no password authentication configured for remote user "${user}": only loopback connections are trusted`, { severity: 'FATAL' }));
      return;
    }
    await this.loggedIn();
  }

  /** Sends one step of the password exchange, or ends it: AuthenticationOk and the session, or 28P01 and close. */
  private async authStep(step: AuthStep, user: string): Promise<void> {
    switch (step.kind) {
      case 'cleartext':
        this.out.u8(B.authentication).i32(8).i32(AUTH.cleartext);
        break;
      case 'md5':
        this.out.u8(B.authentication).i32(12).i32(AUTH.md5).bytes(step.salt);
        break;
      case 'sasl': {
        const at = this.begin(B.authentication);
        this.out.i32(AUTH.sasl);
        for (const name of step.mechanisms) this.out.cstring(name);
        this.out.u8(0);
        this.end(at);
        break;
      }
      case 'sasl-continue':
      case 'sasl-final': {
        const at = this.begin(B.authentication);
        this.out.i32(step.kind === 'sasl-continue' ? AUTH.saslContinue : AUTH.saslFinal).bytes(step.data);
        this.end(at);
        if (step.kind === 'sasl-final') await this.loggedIn();
        break;
      }
      case 'ok':
        await this.loggedIn();
        return;
      case 'fail':
        await this.fatal(new OrbitError('28P01', `password authentication failed for user "${user}"`, { severity: 'FATAL' }));
        return;
    }
    await this.flush();
  }

  private async password(m: FrontendMessage): Promise<void> {
    const user = this.startupParams['user'] ?? '';
    if (m.type === 'terminate') {
      this.close();
      this.transport.end();
      return;
    }
    if (m.type !== 'password') {
      await this.fatal(new OrbitError('08P01', `expected password response, got message type ${JSON.stringify(m.type)}`, { severity: 'FATAL' }));
      return;
    }
    let step: AuthStep;
    try {
      step = this.authenticator!.next(m.data);
    } catch (e) {
      if (!(e instanceof AuthProtocolError)) throw e;
      await this.fatal(new OrbitError('08P01', e.message, { severity: 'FATAL' }));
      return;
    }
    await this.authStep(step, user);
  }

  /** AuthenticationOk, then the session: ParameterStatus, BackendKeyData and ReadyForQuery (55.2.1). */
  private async loggedIn(): Promise<void> {
    this.authenticator = undefined;
    const user = this.startupParams['user'] ?? '';
    const session = this.engine.session({ user, database: this.startupParams['database'] || user });
    this.session = session;
    for (const [k, v] of Object.entries(this.startupParams)) {
      if (k === 'user' || k === 'database' || k === 'options' || k === 'replication') continue;
      try {
        session.settings.set(k, v);
      } catch {
        // PostgreSQL rejects unknown startup parameters; drivers send optional ones freely, so they are ignored.
      }
    }
    this.state = 'ready';
    const key = this.cancels.register(session, () => {
      // Results already computed may still be on their way out: stop sending them too.
      this.cancelRequested = true;
      session.cancel();
    });
    this.pid = key.pid;
    this.out.u8(B.authentication).i32(8).i32(AUTH.ok);
    this.reportSettings();
    const at = this.begin(B.backendKeyData);
    this.out.i32(key.pid).i32(key.secret);
    this.end(at);
    await this.ready();
  }

  /** Dispatches one message; a promise only for the messages that have to wait (for the engine or the socket). */
  private message(m: FrontendMessage): Promise<void> | undefined {
    if (this.state === 'authenticating') return this.password(m);
    if (m.type === 'terminate') {
      this.close();
      this.transport.end();
      return undefined;
    }
    if (this.skipping && m.type !== 'sync') return undefined;
    switch (m.type) {
      case 'query':
        return this.simpleQuery(m.sql);
      case 'parse':
        this.parse(m.name, m.sql, m.paramOids);
        return undefined;
      case 'bind':
        this.bind(m);
        return undefined;
      case 'describe':
        this.describe(m.target, m.name);
        return undefined;
      case 'execute':
        return this.executeNow(m.portal, m.maxRows) ? undefined : this.execute(m.portal, m.maxRows);
      case 'close':
        return this.closeTarget(m.target, m.name);
      case 'sync':
        return this.sync();
      case 'flush':
        return this.flush();
      case 'copy-data':
      case 'copy-done':
      case 'copy-fail':
        // Outside COPY FROM STDIN these are ignored, as PostgreSQL does (55.2.6).
        return undefined;
      case 'function-call':
        return this.functionCall(m.oid);
      case 'password':
        throw new OrbitError('08P01', 'unexpected password message: already authenticated', { severity: 'FATAL' });
    }
  }

  private get engineSession(): Session {
    if (!this.session) throw new OrbitError('08P01', 'message received before startup', { severity: 'FATAL' });
    return this.session;
  }

  // ---- Simple query (55.2.2) ----

  private async simpleQuery(sql: string): Promise<void> {
    const session = this.engineSession;
    // A Query after Executes without a Sync: the extended batch's implicit transaction ends first.
    await session.endImplicit(true);
    this.cancelRequested = false;
    // A Query message ends any unnamed portal and statement, as in PostgreSQL.
    await this.dropUnnamed();
    let started = false;
    let columns: readonly ResultColumn[] = [];
    try {
      for await (const ev of session.stream(sql, [], { copyIn: () => this.copyInput(), copyInRows: (types) => this.copyInputRows(types) })) {
        switch (ev.kind) {
          case 'start':
            started = true;
            columns = ev.columns;
            if (columns.length > 0 || ev.command === 'SELECT') this.rowDescription(columns, []);
            break;
          case 'batch':
            await this.dataRows(ev.batch, 0, ev.batch.length, columns, []);
            break;
          case 'notice':
            writeNotice(this.out, ev.notice);
            break;
          case 'copy-in':
          case 'copy-out':
          case 'copy-data':
          case 'copy-rows':
            await this.copyEvent(ev);
            break;
          case 'end':
            this.commandComplete(ev.tag);
            this.afterCommand(ev.tag);
            break;
        }
      }
      if (!started) this.emptyQuery();
    } catch (e) {
      this.copyingOut = false;
      this.copyBinary = undefined;
      const err = asOrbitError(e);
      if (err.severity === 'FATAL') {
        await this.fatal(err);
        return;
      }
      writeError(this.out, err);
    }
    await this.ready();
  }

  // ---- Function call (55.2.5) ----

  /**
   * The fastpath interface calls a function by OID; clients use it for large objects, which Orbit
   * does not have. Like PostgreSQL after a failed FunctionCall: ErrorResponse, then ReadyForQuery.
   */
  private async functionCall(oid: number): Promise<void> {
    const session = this.engineSession;
    await session.endImplicit(true);
    writeError(this.out, new OrbitError('0A000', `function calls through the fastpath interface are not supported (function OID ${oid})`, { hint: 'Call the function in a SELECT statement.' }));
    await this.ready();
  }

  // ---- Extended query (55.2.3) ----

  private parse(name: string, sql: string, oids: readonly number[]): void {
    if (name !== '' && this.statements.has(name)) throw new OrbitError('42P05', `prepared statement "${name}" already exists`);
    const declared = oids.map((o) => typeOfOid(o));
    const empty = /^[\s;]*$/.test(sql);
    let statement: Statement;
    if (empty) statement = { sql, empty, declared, paramTypes: [], columns: [], prepared: undefined };
    else {
      const prepared = this.engineSession.prepare(sql, declared);
      statement = { sql, empty, declared, paramTypes: prepared.paramTypes, columns: prepared.columns, prepared };
    }
    this.statements.set(name, statement);
    this.simple(B.parseComplete);
  }

  private bind(m: Extract<FrontendMessage, { type: 'bind' }>): void {
    const statement = this.statements.get(m.statement);
    if (!statement) throw new OrbitError('26000', `prepared statement "${m.statement}" does not exist`);
    if (m.portal !== '' && this.portals.has(m.portal)) throw new OrbitError('42P03', `cursor "${m.portal}" already exists`);
    if (m.params.length !== statement.paramTypes.length) {
      throw new OrbitError('08P01', `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${statement.paramTypes.length}`);
    }
    if (m.paramFormats.length > 1 && m.paramFormats.length !== m.params.length) {
      throw new OrbitError('08P01', `bind message has ${m.paramFormats.length} parameter formats but ${m.params.length} parameters`);
    }
    if (m.resultFormats.length > 1 && m.resultFormats.length !== statement.columns.length) {
      throw new OrbitError('08P01', `bind message has ${m.resultFormats.length} result formats but query has ${statement.columns.length} columns`);
    }
    const params = new Array<unknown>(m.params.length);
    for (let i = 0; i < params.length; i++) params[i] = this.param(m, statement, i);
    const old = this.portals.get(m.portal);
    if (old?.events && old.tag === undefined) void this.stopPortal(old);
    this.portals.set(m.portal, { statement, params, formats: m.resultFormats, events: undefined, pending: undefined, tag: undefined });
    this.simple(B.bindComplete);
  }

  private param(m: Extract<FrontendMessage, { type: 'bind' }>, statement: Statement, i: number): unknown {
    const bytes = m.params[i] ?? null;
    if (bytes === null) return null;
    const format = m.paramFormats.length === 1 ? m.paramFormats[0] : m.paramFormats[i];
    const type = statement.paramTypes[i]!;
    if (format === 1) return decodeBinaryParam(bytes, type);
    const text = asciiText(bytes, 0, bytes.length) ?? utf8.decode(bytes);
    // A reg* parameter's text form is a name (regclassin and its siblings), read here into its OID.
    return isNamedOid(type) ? this.engineSession.objectId(type, text) : text;
  }

  private describe(target: 'S' | 'P', name: string): void {
    if (target === 'S') {
      const s = this.statements.get(name);
      if (!s) throw new OrbitError('26000', `prepared statement "${name}" does not exist`);
      const at = this.begin(B.parameterDescription);
      this.out.i16(s.paramTypes.length);
      for (const t of s.paramTypes) this.out.i32(typeOid(t));
      this.end(at);
      this.describeRows(s, []);
      return;
    }
    const p = this.portals.get(name);
    if (!p) throw new OrbitError('34000', `portal "${name}" does not exist`);
    this.describeRows(p.statement, p.formats);
  }

  private describeRows(s: Statement, formats: readonly number[]): void {
    if (s.columns.length > 0) this.rowDescription(s.columns, formats);
    else this.simple(B.noData);
  }

  /**
   * Execute without waiting, when the portal's statement can run at once (see
   * `PreparedStatement.executeNow`: its work, and so its result, is bounded). False: use `execute`.
   */
  private executeNow(name: string, maxRows: number): boolean {
    const p = this.portals.get(name);
    const prepared = p?.statement.prepared;
    if (!p || !prepared || maxRows > 0 || p.events || p.tag !== undefined || prepared.command === 'COPY') return false;
    this.engineSession.beginImplicit();
    this.cancelRequested = false;
    const result = prepared.executeNow(p.params);
    if (!result) return false;
    const columns = p.statement.columns;
    const shape = rowShape(columns, p.formats);
    for (const n of result.notices) writeNotice(this.out, n);
    for (const b of result.batches) for (let r = 0; r < b.length; r++) this.dataRow(b, r, columns, shape);
    p.tag = result.tag;
    this.commandComplete(result.tag);
    this.afterCommand(result.tag);
    return true;
  }

  private async execute(name: string, maxRows: number): Promise<void> {
    const p = this.portals.get(name);
    if (!p) throw new OrbitError('34000', `portal "${name}" does not exist`);
    // Every Execute up to Sync runs in one implicit transaction (55.2.3 "Extended Query").
    this.engineSession.beginImplicit();
    this.cancelRequested = false;
    if (p.statement.empty) {
      this.emptyQuery();
      return;
    }
    if (p.tag !== undefined) {
      this.commandComplete(p.tag);
      return;
    }
    const columns = p.statement.columns;
    const prepared = p.statement.prepared;
    if (maxRows <= 0 && !p.events && prepared && prepared.command !== 'COPY') {
      // The whole result at once: the prepared plan runs without parsing (and point lookups without operators).
      const result = await prepared.execute(p.params);
      for (const n of result.notices) writeNotice(this.out, n);
      for (const b of result.batches) await this.dataRows(b, 0, b.length, columns, p.formats);
      p.tag = result.tag;
      this.commandComplete(result.tag);
      this.afterCommand(result.tag);
      return;
    }
    const limit = maxRows > 0 ? maxRows : Infinity;
    let sent = 0;
    if (p.pending) {
      const { batch, offset } = p.pending;
      const n = Math.min(batch.length - offset, limit);
      await this.dataRows(batch, offset, offset + n, columns, p.formats);
      sent += n;
      p.pending = offset + n < batch.length ? { batch, offset: offset + n } : undefined;
    }
    p.events ??= this.engineSession.stream(p.statement.sql, p.params, { paramTypes: p.statement.declared, copyIn: () => this.copyInput(), copyInRows: (types) => this.copyInputRows(types) });
    try {
      while (sent < limit) {
        const next = await p.events.next();
        if (next.done) {
          // Every statement ends with an `end` event; a stream without one was empty.
          p.tag ??= '';
          break;
        }
        const ev = next.value;
        if (ev.kind === 'batch') {
          const n = Math.min(ev.batch.length, limit - sent);
          await this.dataRows(ev.batch, 0, n, columns, p.formats);
          sent += n;
          if (n < ev.batch.length) p.pending = { batch: ev.batch, offset: n };
        } else if (ev.kind === 'notice') writeNotice(this.out, ev.notice);
        else if (ev.kind === 'copy-in' || ev.kind === 'copy-out' || ev.kind === 'copy-data' || ev.kind === 'copy-rows') await this.copyEvent(ev);
        else if (ev.kind === 'end') {
          p.tag = ev.tag;
          this.commandComplete(ev.tag);
          this.afterCommand(ev.tag);
          break;
        }
      }
    } catch (e) {
      p.tag = '';
      p.events = undefined;
      throw e;
    }
    if (p.tag === undefined) this.simple(B.portalSuspended);
    else if (p.tag === '') this.emptyQuery();
  }

  // ---- COPY (55.2.6) ----

  /**
   * CopyInResponse / CopyOutResponse, CopyData per line or row of output (one per row, 55.2.6), and
   * CopyDone before the CommandComplete.
   */
  private async copyEvent(ev: Extract<ResultEvent, { kind: 'copy-in' | 'copy-out' | 'copy-data' | 'copy-rows' }>): Promise<void> {
    if (ev.kind === 'copy-data') {
      for (const line of ev.lines) {
        const at = this.begin(B.copyData);
        this.out.text(line);
        this.end(at);
        if (this.out.length >= FLUSH_AT) await this.flush();
      }
      return;
    }
    if (ev.kind === 'copy-rows') {
      const binary = this.copyBinary!;
      const { batch } = ev;
      const row = new Array<unknown>(batch.columns.length);
      for (let r = 0; r < batch.length; r++) {
        if (this.cancelRequested && (r & 1023) === 0) throw new OrbitError('57014', 'canceling statement due to user request');
        const at = this.begin(B.copyData);
        if (binary.header) {
          writeBinaryCopyHeader(this.out);
          binary.header = false;
        }
        for (let c = 0; c < row.length; c++) row[c] = batch.columns[c]![r];
        writeBinaryCopyRow(this.out, row, binary.types);
        this.end(at);
        if (this.out.length >= FLUSH_AT) await this.flush();
      }
      return;
    }
    // The overall format, and every column's format, is 1 for binary COPY and 0 (textual) otherwise.
    const format = ev.format === 'binary' ? 1 : 0;
    const at = this.begin(ev.kind === 'copy-in' ? B.copyInResponse : B.copyOutResponse);
    this.out.u8(format).i16(ev.columns.length);
    for (let i = 0; i < ev.columns.length; i++) this.out.i16(format);
    this.end(at);
    if (ev.kind === 'copy-in') await this.flush();
    else {
      this.copyingOut = true;
      this.copyBinary = format === 1 ? { types: ev.types, header: true } : undefined;
    }
  }

  /** Binary COPY FROM STDIN: the client's CopyData decoded into rows of `types`. */
  private async *copyInputRows(types: readonly DataType[]): AsyncGenerator<unknown[][]> {
    const decoder = new BinaryCopyDecoder(types);
    for await (const chunk of this.copyInput()) {
      const rows = decoder.push(chunk);
      if (rows.length > 0) yield rows;
    }
    decoder.end();
  }

  /**
   * The client's COPY data: CopyData until CopyDone; CopyFail aborts the COPY. Flush and Sync are
   * ignored meanwhile (55.2.6); anything else is a protocol violation that fails the COPY.
   */
  private async *copyInput(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const item = await this.transport.next();
      if (item === undefined) throw new OrbitError('08006', 'connection lost during COPY from stdin', { severity: 'FATAL' });
      if ('violation' in item) throw item.violation;
      const m = item.message;
      if (item.phase === 'startup') continue;
      switch (m.type) {
        case 'copy-data':
          yield m.data;
          break;
        case 'copy-done':
          return;
        case 'copy-fail':
          throw new OrbitError('57014', `COPY from stdin failed: ${m.message}`);
        case 'flush':
        case 'sync':
          break;
        case 'terminate':
          throw new OrbitError('08006', 'client terminated the connection during COPY from stdin', { severity: 'FATAL' });
        default:
          throw new OrbitError('08P01', `unexpected message type "${m.type}" during COPY from stdin`);
      }
    }
  }

  private async closeTarget(target: 'S' | 'P', name: string): Promise<void> {
    if (target === 'S') this.statements.delete(name);
    else {
      const p = this.portals.get(name);
      if (p) await this.stopPortal(p);
      this.portals.delete(name);
    }
    this.simple(B.closeComplete);
  }

  private sync(): Promise<void> | undefined {
    const failed = this.skipping;
    this.skipping = false;
    // Outside an explicit transaction block Sync ends the implicit transaction and with it every
    // portal: portals first, so no unfinished statement runs on in a transaction that has ended.
    if (this.session?.transactionStatus === 'idle' && this.portals.size > 0) {
      for (const p of this.portals.values()) if (p.events && p.tag === undefined) return this.stopPortalsAndSync(failed);
      this.portals.clear();
    }
    return this.endImplicit(failed);
  }

  private async stopPortalsAndSync(failed: boolean): Promise<void> {
    for (const [name, p] of this.portals) {
      if (p.events && p.tag === undefined) await this.stopPortal(p);
      this.portals.delete(name);
    }
    await this.endImplicit(failed);
  }

  /** Sync commits the implicit transaction, or rolls it back when an error skipped the rest of the batch; then ReadyForQuery. */
  private endImplicit(failed: boolean): Promise<void> | undefined {
    let ending: Promise<void> | undefined;
    try {
      ending = this.session?.endImplicit(!failed);
    } catch (e) {
      writeError(this.out, asOrbitError(e));
    }
    if (!ending) return this.ready();
    return ending.then(
      () => this.ready(),
      (e: unknown) => {
        writeError(this.out, asOrbitError(e));
        return this.ready();
      },
    );
  }

  private async dropUnnamed(): Promise<void> {
    const p = this.portals.get('');
    if (p) await this.stopPortal(p);
    this.portals.delete('');
    this.statements.delete('');
  }

  /**
   * Abandons a portal's unfinished stream. `throw` (not `return`) so the engine's error path runs
   * and rolls back the statement's own transaction.
   */
  private async stopPortal(p: Portal): Promise<void> {
    const events = p.events;
    p.events = undefined;
    p.pending = undefined;
    if (!events || p.tag !== undefined) return;
    p.tag = '';
    try {
      await events.throw(new OrbitError('57014', 'portal closed'));
    } catch {
      // The stream rethrows the error it was given: nothing to report.
    }
  }

  // ---- Errors ----

  private async fail(e: OrbitError): Promise<void> {
    this.copyingOut = false;
    this.copyBinary = undefined;
    if (e.severity === 'FATAL') {
      await this.fatal(e);
      return;
    }
    writeError(this.out, e);
    // In the extended protocol an error discards messages up to Sync, which sends ReadyForQuery.
    this.skipping = true;
    await this.flush();
  }

  private async fatal(e: OrbitError): Promise<void> {
    writeError(this.out, new OrbitError(e.sqlstate, e.message, { severity: 'FATAL' }));
    await this.flush();
    this.close();
    this.transport.end();
  }

  // ---- Backend messages (55.7) ----

  private begin(type: number): number {
    this.out.u8(type);
    const at = this.out.length;
    this.out.i32(0);
    return at;
  }

  private end(at: number): void {
    this.out.patch32(at, this.out.length - at);
  }

  private simple(type: number): void {
    this.out.u8(type).i32(4);
  }

  private rowDescription(columns: readonly ResultColumn[], formats: readonly number[]): void {
    this.out.bytes(rowShape(columns, formats).description);
  }

  private async dataRows(batch: RowBatch, from: number, to: number, columns: readonly ResultColumn[], formats: readonly number[]): Promise<void> {
    const shape = rowShape(columns, formats);
    for (let r = from; r < to; r++) {
      if (this.cancelRequested && (r & 1023) === 0) throw new OrbitError('57014', 'canceling statement due to user request');
      this.dataRow(batch, r, columns, shape);
      if (this.out.length >= FLUSH_AT) await this.flush();
    }
    const now = performance.now();
    if (now - this.lastYield > YIELD_EVERY_MS) {
      this.lastYield = now;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private dataRow(batch: RowBatch, r: number, columns: readonly ResultColumn[], { binary, named }: RowShape): void {
    const n = columns.length;
    const at = this.begin(B.dataRow);
    this.out.i16(n);
    for (let c = 0; c < n; c++) {
      const v = batch.columns[c]![r];
      const type = columns[c]!.type;
      if (named?.[c] && v !== null && v !== undefined) writeField(this.out, this.engineSession.objectName(type, v as number), NAME_TEXT, false);
      else writeField(this.out, v, type, binary[c]!);
    }
    this.end(at);
  }

  private commandComplete(tag: string): void {
    if (this.copyingOut) {
      this.copyingOut = false;
      if (this.copyBinary) {
        // The trailer in a CopyData of its own, after the header if no row carried it.
        const at = this.begin(B.copyData);
        if (this.copyBinary.header) writeBinaryCopyHeader(this.out);
        writeBinaryCopyTrailer(this.out);
        this.end(at);
        this.copyBinary = undefined;
      }
      this.simple(B.copyDone);
    }
    const at = this.begin(B.commandComplete);
    this.out.cstring(tag);
    this.end(at);
  }

  private emptyQuery(): void {
    this.simple(B.emptyQueryResponse);
  }

  /** ParameterStatus for every reported setting whose value the client has not seen yet. */
  private reportSettings(): void {
    if (!this.session) return;
    for (const [k, v] of this.session.settings.reported()) {
      if (this.reported.get(k) === v) continue;
      this.reported.set(k, v);
      const at = this.begin(B.parameterStatus);
      this.out.cstring(k).cstring(v);
      this.end(at);
    }
  }

  /** SET and RESET may change a reported setting: tell the client (55.2.7 "Asynchronous Operations"). */
  private afterCommand(tag: string): void {
    if (tag === 'SET' || tag === 'RESET') this.reportSettings();
  }

  private ready(): Promise<void> | undefined {
    const at = this.begin(B.readyForQuery);
    this.out.u8(STATUS[this.session?.transactionStatus ?? 'idle']);
    this.end(at);
    return this.flush();
  }

  /** Hands the output to the socket; a promise only when the socket's buffer is full. */
  private flush(): Promise<void> | undefined {
    if (this.out.length === 0 || this.state === 'closed') return undefined;
    return this.transport.write(this.out.take()) ? undefined : this.transport.drained();
  }
}

const NAME_TEXT: DataType = { kind: 'utf8' };

/** regclass, regtype, regproc and regnamespace: OIDs whose text form is an object's name (plain `oid` prints the number). */
function isNamedOid(t: DataType): t is DataType & { kind: 'int32' } {
  return t.kind === 'int32' && t.oid !== undefined && t.oid !== 'oid';
}

/** Bind's result format codes: none = all text, one = for every column, else one per column. */
function formatOf(formats: readonly number[], i: number): number {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : (formats[i] ?? 0);
}

/** How rows of one result shape go out: its RowDescription message, and each column's field format. */
interface RowShape {
  readonly description: Uint8Array;
  readonly binary: readonly boolean[];
  /** Text columns of reg* types, whose values are sent as names (regclassout and its siblings); undefined when none. */
  readonly named: readonly boolean[] | undefined;
}

/** Per result-column list (a prepared statement keeps its own), the shapes by result formats asked for. */
const ROW_SHAPES = new WeakMap<readonly ResultColumn[], Map<string, RowShape>>();

/** The shape of rows with these columns in these formats, worked out once per statement and formats. */
function rowShape(columns: readonly ResultColumn[], formats: readonly number[]): RowShape {
  const key = formats.length === 0 ? '' : formats.length === 1 ? String(formats[0]) : formats.join(',');
  let byFormats = ROW_SHAPES.get(columns);
  if (byFormats === undefined) ROW_SHAPES.set(columns, (byFormats = new Map()));
  let shape = byFormats.get(key);
  if (shape === undefined) {
    const w = new ByteWriter(64 + columns.length * 32);
    w.u8(B.rowDescription).i32(0).i16(columns.length);
    columns.forEach((c, i) => {
      w.cstring(c.name)
        .i32(c.tableId ?? 0)
        .i16(c.columnNumber ?? 0)
        .i32(typeOid(c.type))
        .i16(typeSize(c.type))
        .i32(typeModifier(c.type))
        .i16(formatOf(formats, i));
    });
    w.patch32(1, w.length - 1);
    const binary = columns.map((_, i) => formatOf(formats, i) === 1);
    const named = columns.some((c, i) => !binary[i] && isNamedOid(c.type)) ? columns.map((c, i) => !binary[i] && isNamedOid(c.type)) : undefined;
    shape = { description: w.take(), binary, named };
    byFormats.set(key, shape);
  }
  return shape;
}
