// A client session: compiles and runs statements, owns the transaction state machine and settings.
//
// States: idle (autocommit) → BEGIN → in-transaction → an error → failed → COMMIT/ROLLBACK → idle.
// Several statements in one `execute` call form an implicit transaction block, as in PostgreSQL's
// simple query protocol: a failure rolls back the statements of that call that ran before it.

import { bindStatement, explainJson, explainText, parseOrbitQL, parseSql, PlanCache, sqlStatementOf, type ActualStats, type OrbitSqlStatement, type BoundStatement, type DataType, type Diagnostic, type PhysicalQuery, type SqlAst } from '../../compiler/index.ts';
import type { OperatorStats } from '../exec/index.ts';
import type { StorageTxn } from '../storage/api.ts';
import type { CompiledStatement, Engine, PreparedShape } from './engine.ts';
import { CopyParser, encodeCopyRow } from './copy.ts';
import { coerceParams } from './params.ts';
import { runPoint } from './point.ts';
import { engineError, fromDiagnostic, OrbitError, toOrbitError } from './errors.ts';
import type { Notice, ResultColumn, ResultEvent, RowBatch, StatementResult } from './result.ts';
import { runPlan, runWrite } from './run.ts';
import { formatValue } from './text.ts';
import { Settings } from './settings.ts';
import { formatType, SystemViews } from './system-views.ts';

export type TransactionStatus = 'idle' | 'transaction' | 'failed';

export interface ExecuteOptions {
  /** Aborts the running statement (SQLSTATE 57014). */
  readonly signal?: AbortSignal;
  /** Parameter types declared by the client ($1 … $n); others are inferred. */
  readonly paramTypes?: readonly (DataType | undefined)[];
  /**
   * The data of COPY … FROM STDIN, asked for after the statement's `copy-in` event; it ends when
   * the client's data ends and throws when the client aborts. Without it COPY FROM STDIN fails.
   */
  readonly copyIn?: () => AsyncIterable<Uint8Array>;
  /**
   * The rows of COPY … FROM STDIN in binary format, decoded by the client's protocol into values of
   * `types` (the `copy-in` event's); same life cycle as `copyIn`.
   */
  readonly copyInRows?: (types: readonly DataType[]) => AsyncIterable<readonly (readonly unknown[])[]>;
  /** The language of the statement text (default `sql`). */
  readonly language?: 'sql' | 'orbitql';
  /** OrbitQL: values of `$name` parameters by name (they replace `params`). */
  readonly vars?: Readonly<Record<string, unknown>>;
}

/** A statement compiled once and executable many times with different parameters. */
export interface PreparedStatement {
  readonly text: string;
  /** The command word (SELECT, INSERT, COPY …): COPY has to run through `stream` to exchange its data. */
  readonly command: string;
  readonly paramTypes: readonly DataType[];
  readonly columns: readonly ResultColumn[];
  execute(params?: readonly unknown[], options?: ExecuteOptions): Promise<StatementResult>;
  /**
   * Runs the statement at once when its work is bounded and needs no waiting: a primary-key lookup,
   * or a write of at most one row inside an open transaction. Undefined when it has to go through
   * `execute` (which then runs it from the start).
   */
  executeNow(params?: readonly unknown[]): StatementResult | undefined;
}

type Compiled = CompiledStatement;

/** What a statement's work reports when it completes: its command tag and row count. */
interface StatementEnd {
  readonly tag: string;
  readonly count: number;
}

let nextSessionId = 1;

/** Who a session is, as the client said at connection time. */
export interface SessionOptions {
  /** The user name current_user reports (default `orbit`). */
  readonly user?: string;
  /** The database name current_database() and pg_database report (default `orbit`). */
  readonly database?: string;
}

export class Session {
  readonly id = nextSessionId++;
  readonly settings = new Settings();
  readonly user: string;
  readonly database: string;
  /** pg_catalog/information_schema rows and the system functions' facts for this session. */
  private readonly system: SystemViews;
  private txn: StorageTxn | undefined;
  private explicit = false;
  private failed = false;
  private running: AbortController | undefined;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    options: SessionOptions = {},
  ) {
    this.user = options.user ?? 'orbit';
    this.database = options.database ?? 'orbit';
    const system: SystemViews = new SystemViews(
      engine.catalog,
      {
        user: this.user,
        database: this.database,
        pid: this.id,
        setting: (name) => this.settings.get(name),
        setSetting: (name, value) => this.settings.set(name, value),
        formatType,
        definition: (oid) => system.definition(oid),
        objectName: (kind, oid) => system.objectName(kind, oid),
        objectId: (kind, name) => system.objectId(kind, name),
      },
      () => this.settings.all(),
      engine.dataDir,
    );
    this.system = system;
  }

  get transactionStatus(): TransactionStatus {
    return this.failed ? 'failed' : this.explicit ? 'transaction' : 'idle';
  }

  /**
   * The text form of a value of a reg* type (regclass, regtype, regproc, regnamespace): the name of
   * the object its OID identifies, as PostgreSQL's regclassout and its siblings print it.
   */
  objectName(type: DataType, oid: number): string {
    return type.kind === 'int32' && type.oid !== undefined && type.oid !== 'oid' ? this.system.objectName(type.oid, oid) : String(oid);
  }

  /** Reads the text form of a reg* value (a name, or a number that is the OID itself) into its OID; throws when nothing has that name. */
  objectId(type: DataType & { kind: 'int32' }, text: string): number {
    return this.system.objectId(type.oid ?? 'oid', text);
  }

  /** Cancels the statement running now, if any (SQLSTATE 57014 for it). */
  cancel(): void {
    this.running?.abort(engineError('query_canceled'));
  }

  /** Ends the session, rolling back an open transaction. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancel();
    this.txn?.rollback();
    this.txn = undefined;
    this.engine.forget(this);
  }

  /** Runs every statement in `sql` and collects their results. Throws the first error as an OrbitError. */
  async execute(sql: string, params: readonly unknown[] = [], options: ExecuteOptions = {}): Promise<StatementResult[]> {
    const fast = options.language === 'orbitql' ? undefined : this.tryPoint(sql, params, options);
    if (fast) return [fast];
    return collect(this.stream(sql, params, options));
  }

  /**
   * The short path: a statement text already in the plan cache whose plan is a primary-key point
   * lookup runs without parsing, operators or result events.
   */
  private tryPoint(sql: string, params: readonly unknown[], options: ExecuteOptions): StatementResult | undefined {
    if (this.failed || this.closed || options.signal) return undefined;
    const declared = (options.paramTypes ?? []).map((t) => t ?? ({ kind: 'unknown' } as const));
    const hit = this.engine.lookupExact(sql, declared);
    if (!hit) return undefined;
    const shape = this.engine.shapeOf(hit);
    if (!shape.point) return undefined;
    // In a cluster only a lookup in a shard this node owns takes the short path; the others are routed.
    const shards = this.engine.sqlShards;
    if (shards && !shards.pointIsLocal(shape.point, params, hit.paramTypes)) return undefined;
    return this.runPointStatement(hit, shape, params);
  }

  private runPointStatement(q: NonNullable<Compiled['query']>, shape: PreparedShape, params: readonly unknown[]): StatementResult {
    if (params.length < q.paramTypes.length) throw engineError('parameter_count', String(params.length), String(q.paramTypes.length));
    const txn = this.txn ?? this.engine.store.begin();
    try {
      const batch = runPoint(shape.point!, txn, coerceParams(params, q.paramTypes));
      return { command: 'SELECT', tag: `SELECT ${batch.length}`, columns: shape.columns, batches: [batch], rowCount: batch.length, notices: [] };
    } catch (e) {
      this.markFailed();
      throw toOrbitError(e);
    } finally {
      // A read-only autocommit transaction has nothing to commit.
      if (txn !== this.txn) txn.rollback();
    }
  }

  /**
   * A write of at most one row (see `isPointWrite`) inside the session's transaction runs to the end
   * at once: its work is bounded, so it needs no result events, cancel signal or yields.
   */
  private runPointWrite(q: NonNullable<Compiled['query']>, command: string, params: readonly unknown[]): StatementResult {
    if (params.length < q.paramTypes.length) throw engineError('parameter_count', String(params.length), String(q.paramTypes.length));
    try {
      const count = runWrite(q.query, { txn: this.txn!, params: coerceParams(params, q.paramTypes), now: Date.now() * 1000, system: this.system });
      return { command, tag: tagOf(command, count), columns: [], batches: [], rowCount: count, notices: [] };
    } catch (e) {
      this.markFailed();
      throw toOrbitError(e);
    }
  }

  /** Runs one statement and returns its result (the last one when the text holds several). */
  async query(sql: string, params: readonly unknown[] = [], options: ExecuteOptions = {}): Promise<StatementResult> {
    const all = await this.execute(sql, params, options);
    const last = all[all.length - 1];
    if (!last) return { command: 'EMPTY', tag: '', columns: [], batches: [], rowCount: 0, notices: [] };
    return last;
  }

  /** Compiles a single statement for repeated execution; parameter types are inferred or taken from `paramTypes`. */
  prepare(sql: string, paramTypes: readonly (DataType | undefined)[] = []): PreparedStatement {
    // Drivers that prepare the same text for every execution (unnamed statements) skip parsing on a cached plan.
    const hit = this.closed ? undefined : this.engine.lookupExact(sql, paramTypes.map((t) => t ?? ({ kind: 'unknown' } as const)));
    const shape = hit ? this.engine.shapeOf(hit) : undefined;
    const compiled = hit && shape ? [{ command: shape.command, query: hit, columns: shape.columns, text: sql, offset: 0 }] : this.compile(sql, paramTypes);
    if (compiled.length !== 1) throw new OrbitError('42601', 'cannot insert multiple commands into a prepared statement');
    let current = compiled[0]!;
    // A DDL statement since preparing makes the plan stale: compile it again.
    const fresh = (): void => {
      if (current.query && current.query.catalogVersion !== this.engine.catalog.version) current = this.compile(sql, paramTypes)[0]!;
    };
    /** The statement's result, when it can run at once (see `executeNow`). */
    const now = (params: readonly unknown[]): StatementResult | undefined => {
      if (!current.query || this.failed) return undefined;
      const shape = this.engine.shapeOf(current.query);
      const shards = this.engine.sqlShards;
      if (!shards) {
        if (shape.point) return this.runPointStatement(current.query, shape, params);
        if (this.txn && isPointWrite(current.query.query)) return this.runPointWrite(current.query, shape.command, params);
      } else if (shape.point && shards.pointIsLocal(shape.point, params, current.query.paramTypes)) {
        // In a cluster a lookup in a shard this node owns reads its store; writes are always routed.
        return this.runPointStatement(current.query, shape, params);
      }
      return undefined;
    };
    return {
      text: sql,
      command: current.command,
      paramTypes: current.query?.paramTypes ?? [],
      columns: current.columns,
      execute: async (params = [], options = {}) => {
        fresh();
        // A cancellable run goes through the executor, which checks the signal.
        const done = options.signal ? undefined : now(params);
        if (done) return done;
        const collected = await collect(this.runStatements([current], params, options));
        return collected[0]!;
      },
      executeNow: (params = []) => {
        fresh();
        return now(params);
      },
    };
  }

  /** Describes the result columns and parameter types of a statement without running it. */
  describe(sql: string, paramTypes: readonly (DataType | undefined)[] = []): { columns: readonly ResultColumn[]; paramTypes: readonly DataType[] } {
    const compiled = this.compile(sql, paramTypes);
    const last = compiled[compiled.length - 1];
    if (!last) return { columns: [], paramTypes: [] };
    return { columns: last.columns, paramTypes: last.query?.paramTypes ?? [] };
  }

  /** Streams the execution of every statement in `sql`: start, batches, end per statement. */
  async *stream(sql: string, params: readonly unknown[] = [], options: ExecuteOptions = {}): AsyncGenerator<ResultEvent> {
    if (this.closed) throw engineError('engine_closed');
    const orbit = options.language === 'orbitql' ? this.parseOrbit(sql, options) : undefined;
    if (orbit && options.vars) params = orbit.params;
    const parsed = orbit ?? parseSql(sql);
    if (parsed.diagnostics.length > 0) {
      this.markFailed();
      throw fromDiagnostic(parsed.diagnostics[0]!);
    }
    if (this.failed && !parsed.statements.every((st) => isTransactionEnd(st.ast))) {
      throw engineError('in_failed_transaction');
    }
    const implicitBlock = parsed.statements.length > 1 && !this.explicit && !this.txn;
    if (implicitBlock) {
      this.txn = this.engine.begin();
      this.engine.sqlShards?.markBlock(this.txn);
    }
    try {
      for (let i = 0; i < parsed.statements.length; i++) {
        const s = parsed.statements[i]!;
        // Bind each statement only when it runs: an earlier DDL statement may change the catalog.
        let compiled: Compiled;
        try {
          compiled =
            'finish' in s
              ? this.compileOne(s.resolve(this.engine.catalog), s.text, s.span.start, s.key, options.paramTypes ?? [], s)
              : this.compileOne(s.ast, 'map' in s ? s.text : sql, s.span.start, s.text, options.paramTypes ?? [], 'map' in s ? s : undefined);
        } catch (e) {
          this.markFailed();
          throw e;
        }
        for await (const ev of this.runStatements([compiled], params, options, i)) yield ev;
      }
      if (implicitBlock && this.txn && !this.explicit) {
        const t = this.txn;
        this.txn = undefined;
        await t.commit();
      }
    } catch (e) {
      if (implicitBlock && !this.explicit && this.txn) {
        this.txn.rollback();
        this.txn = undefined;
      }
      throw e;
    }
  }

  /**
   * Opens an implicit transaction block, as PostgreSQL's extended protocol does from the first
   * Execute to Sync: statements run in it until `endImplicit`. Inside BEGIN (or an open block) it
   * does nothing.
   */
  beginImplicit(): void {
    if (this.closed || this.explicit || this.txn) return;
    this.txn = this.engine.begin();
  }

  /**
   * Ends an implicit block: commits it, or rolls it back after an error. Leaves an explicit block
   * alone. A promise only when there are writes to commit; a block that only read ends at once.
   */
  endImplicit(commit: boolean): Promise<void> | undefined {
    if (this.explicit || !this.txn) return undefined;
    const t = this.txn;
    this.txn = undefined;
    if (commit && t.writing) return t.commit();
    t.rollback();
    return undefined;
  }

  private markFailed(): void {
    if (this.explicit) this.failed = true;
  }

  private compile(sql: string, paramTypes: readonly (DataType | undefined)[]): Compiled[] {
    const parsed = parseSql(sql);
    if (parsed.diagnostics.length > 0) throw fromDiagnostic(parsed.diagnostics[0]!);
    return parsed.statements.map((s) => this.compileOne(s.ast, sql, s.span.start, s.text, paramTypes));
  }

  /**
   * OrbitQL statements as their SQL equivalents (document paths resolved against the catalog; LET runs
   * nothing, its value is spliced where it is used), with `$name` values placed by name.
   */
  private parseOrbit(text: string, options: ExecuteOptions): { statements: ((OrbitSqlStatement & { span: { start: number }; text: string }) | { ast: SqlAst.Statement; span: { start: number }; text: string; map: OrbitSqlStatement['map'] })[]; diagnostics: Diagnostic[]; params: unknown[] } {
    const parsed = parseOrbitQL(text);
    const vars = options.vars ?? {};
    const statements = parsed.statements.flatMap((s) => {
      const q = sqlStatementOf(s, this.engine.catalog);
      // Tables a document or graph write needs are created first, as statements of their own.
      const before = (q?.before ?? []).map((b) => ({ ast: b.ast, span: { start: s.span.start }, text: b.sql, map: b.map }));
      return q ? [...before, { ...q, span: { start: s.span.start }, text: q.sql }] : [];
    });
    return { statements, diagnostics: parsed.diagnostics, params: parsed.paramNames.map((n) => vars[n]) };
  }

  /**
   * `orbit` is given for the SQL an OrbitQL statement became: `source` is then that SQL, `map` carries
   * diagnostic spans back into the script, and `finish` (with `text` the OrbitQL statement's cache key)
   * completes its binding.
   */
  private compileOne(ast: SqlAst.Statement, source: string, offset: number, text: string, paramTypes: readonly (DataType | undefined)[], orbit?: { readonly map: OrbitSqlStatement['map']; readonly finish?: OrbitSqlStatement['finish'] }): Compiled {
    const declared = paramTypes.map((t) => t ?? ({ kind: 'unknown' } as const));
    const key = PlanCache.key(orbit?.finish ? 'orbitql' : 'sql', text, declared);
    const hit = this.engine.planCache.getByKey(key, this.engine.catalog);
    if (hit) {
      const shape = this.engine.shapeOf(hit);
      return { command: shape.command, query: hit, columns: shape.columns, text, offset };
    }
    const sqlBound = bindStatement(ast, source, this.engine.catalog, { paramTypes: declared });
    // Positions a client sees count from the start of the text it sent, not of a statement's SQL equivalent.
    const bindDiagnostics = orbit ? sqlBound.diagnostics.map((d) => ({ ...d, span: orbit.map.span(d.span) })) : sqlBound.diagnostics;
    const finished = orbit?.finish && sqlBound.bound ? orbit.finish(sqlBound.bound) : undefined;
    const bound = finished ? finished.bound : sqlBound.bound;
    const diagnostics = [...bindDiagnostics, ...(finished?.diagnostics ?? [])];
    const err = diagnostics.find((d) => d.severity === 'error');
    if (err || !bound) throw fromDiagnostic(err ?? diagnostics[0]!);
    const compiled = this.engine.plan(bound, text, offset);
    if (compiled.query) this.engine.planCache.setByKey(key, compiled.query);
    return compiled;
  }

  private async *runStatements(statements: readonly Compiled[], params: readonly unknown[], options: ExecuteOptions, first = 0): AsyncGenerator<ResultEvent> {
    let index = first;
    for (const c of statements) {
      const b = c.bound;
      if (this.failed && !(b?.kind === 'transaction' && (b.action === 'commit' || b.action === 'rollback' || b.action === 'rollback-to'))) {
        throw engineError('in_failed_transaction');
      }
      try {
        yield* this.runOne(c, params, options, index);
      } catch (e) {
        this.markFailed();
        const err = toOrbitError(e);
        throw err;
      }
      index++;
    }
  }

  private async *runOne(c: Compiled, params: readonly unknown[], options: ExecuteOptions, index: number): AsyncGenerator<ResultEvent> {
    const command = c.command;
    if (c.query) {
      yield* this.runQuery(c, c.query, params, options, index);
      return;
    }
    const b = c.bound!;
    switch (b.kind) {
      case 'query':
        throw new OrbitError('XX000', 'query statement without a plan');
      case 'transaction':
        yield { kind: 'start', statement: index, command, columns: [] };
        yield* this.transaction(b, index);
        return;
      case 'copy':
        yield { kind: 'start', statement: index, command, columns: [] };
        yield* this.runCopy(c, b, options, index);
        return;
      case 'set': {
        yield { kind: 'start', statement: index, command, columns: [] };
        this.settings.set(b.name, b.value);
        yield { kind: 'end', statement: index, tag: b.value === null ? 'RESET' : 'SET', rowCount: 0 };
        return;
      }
      case 'show': {
        const name = b.name.toLowerCase();
        if (name === 'all') {
          const cols: ResultColumn[] = [
            { name: 'name', type: { kind: 'utf8' }, nullable: false },
            { name: 'setting', type: { kind: 'utf8' }, nullable: false },
          ];
          yield { kind: 'start', statement: index, command, columns: cols };
          const all = this.settings.all();
          yield { kind: 'batch', statement: index, batch: { length: all.length, columns: [all.map((x) => x[0]), all.map((x) => x[1])] } };
          yield { kind: 'end', statement: index, tag: 'SHOW', rowCount: all.length };
          return;
        }
        const value = this.settings.get(name);
        yield { kind: 'start', statement: index, command, columns: [{ name, type: { kind: 'utf8' }, nullable: false }] };
        yield { kind: 'batch', statement: index, batch: { length: 1, columns: [[value]] } };
        yield { kind: 'end', statement: index, tag: 'SHOW', rowCount: 1 };
        return;
      }
      case 'explain': {
        yield { kind: 'start', statement: index, command, columns: c.columns };
        const inner = this.engine.plan(b.statement, c.text, c.offset).query?.query;
        let text: string;
        if (!inner) {
          text = `${commandOf(b.statement)} (utility statement, no plan)`;
        } else if (b.analyze) {
          const own = this.txn === undefined;
          const txn = this.txn ?? this.engine.begin();
          try {
            const now = Date.now() * 1000;
            if (this.engine.sqlShards) await this.engine.sqlShards.prepare(txn, inner, params, now);
            const run = runPlan(inner, { txn, params, now, analyze: true, system: this.system });
            const started = performance.now();
            for await (const _ of run.batches) {
              // Rows are produced and discarded: EXPLAIN ANALYZE reports counts and times only.
            }
            const total = performance.now() - started;
            if (own) await txn.commit();
            const actual = actualStats(run.stats());
            text = b.format === 'json' ? explainJson(inner, { actual }) : `${explainText(inner, { actual })}\nExecution Time: ${total.toFixed(3)} ms`;
          } catch (e) {
            if (own) txn.rollback();
            throw e;
          }
        } else {
          text = b.format === 'json' ? explainJson(inner) : explainText(inner);
        }
        const lines = b.format === 'json' ? [text] : text.split('\n');
        yield { kind: 'batch', statement: index, batch: { length: lines.length, columns: [lines] } };
        yield { kind: 'end', statement: index, tag: 'EXPLAIN', rowCount: lines.length };
        return;
      }
      default: {
        yield { kind: 'start', statement: index, command, columns: [] };
        const notice = await this.engine.runUtility(b, c.text);
        if (notice) yield { kind: 'notice', statement: index, notice };
        yield { kind: 'end', statement: index, tag: command, rowCount: 0 };
      }
    }
  }

  /**
   * Runs one statement's work in the session's transaction, or in its own one committed at the
   * end and rolled back on an error or when the caller stops reading; cancellable through
   * `options.signal`, cancel() and statement_timeout. `work` yields the statement's events and
   * returns its command tag and row count.
   */
  private async *statement(
    index: number,
    options: ExecuteOptions,
    work: (txn: StorageTxn, signal: AbortSignal) => AsyncGenerator<ResultEvent, StatementEnd>,
  ): AsyncGenerator<ResultEvent> {
    const own = this.txn === undefined;
    const txn = this.txn ?? this.engine.begin();
    const controller = new AbortController();
    this.running = controller;
    const timeoutMs = Number(this.settings.get('statement_timeout'));
    const signal = timeoutMs > 0 ? deadlineSignal(controller, timeoutMs) : controller.signal;
    const onAbort = () => controller.abort(engineError('query_canceled'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    try {
      const { tag, count } = yield* work(txn, signal);
      settled = true;
      if (own) await txn.commit();
      yield { kind: 'end', statement: index, tag, rowCount: count };
    } catch (e) {
      settled = true;
      if (own) txn.rollback();
      if (signal.aborted && signal.reason instanceof OrbitError) throw signal.reason;
      throw e;
    } finally {
      // A caller that stops reading early (return() on the stream) abandons the statement.
      if (own && !settled) txn.rollback();
      options.signal?.removeEventListener('abort', onAbort);
      this.running = undefined;
    }
  }

  private async *runQuery(c: Compiled, q: NonNullable<Compiled['query']>, params: readonly unknown[], options: ExecuteOptions, index: number): AsyncGenerator<ResultEvent> {
    if (params.length < q.paramTypes.length) throw engineError('parameter_count', String(params.length), String(q.paramTypes.length));
    yield { kind: 'start', statement: index, command: c.command, columns: c.columns };
    const system = this.system;
    const shards = this.engine.sqlShards;
    yield* this.statement(index, options, async function* (txn: StorageTxn, signal: AbortSignal): AsyncGenerator<ResultEvent, StatementEnd> {
      let rows = 0;
      const coerced = coerceParams(params, q.paramTypes);
      const now = Date.now() * 1000;
      // In a cluster the scans' rows come from the shards' owners first.
      if (shards) await shards.prepare(txn, q.query, coerced, now);
      const run = runPlan(q.query, { txn, params: coerced, signal, now, system });
      for await (const batch of run.batches) {
        rows += batch.length;
        yield { kind: 'batch', statement: index, batch };
      }
      const count = run.affected() ?? rows;
      return { tag: tagOf(c.command, count), count };
    });
  }

  /**
   * COPY TO STDOUT sends the query's rows as lines; COPY FROM STDIN runs the bound one-row INSERT
   * for every line the client sends. Either way the whole COPY is one statement: all rows or none.
   */
  private async *runCopy(c: Compiled, b: Extract<BoundStatement, { kind: 'copy' }>, options: ExecuteOptions, index: number): AsyncGenerator<ResultEvent> {
    const entry = this.engine.plan({ kind: 'query', plan: b.plan, params: b.params }, c.text, c.offset).query!;
    const system = this.system;
    const shards = this.engine.sqlShards;
    yield* this.statement(index, options, async function* (txn: StorageTxn, signal: AbortSignal): AsyncGenerator<ResultEvent, StatementEnd> {
      const now = Date.now() * 1000;
      let count = 0;
      if (b.direction === 'to') {
        if (shards) await shards.prepare(txn, entry.query, [], now);
        const types = entry.schema.map((col) => col.type);
        yield { kind: 'copy-out', statement: index, columns: b.columns, types, format: b.format.format };
        if (b.format.header) yield { kind: 'copy-data', statement: index, lines: [encodeCopyRow(b.columns, b.format)] };
        for await (const batch of runPlan(entry.query, { txn, params: [], signal, now, system }).batches) {
          if (b.format.format === 'binary') {
            count += batch.length;
            yield { kind: 'copy-rows', statement: index, batch };
            continue;
          }
          const lines = new Array<string>(batch.length);
          for (let r = 0; r < batch.length; r++) lines[r] = encodeCopyRow(batch.columns.map((col, i) => formatValue(col[r], types[i]!)), b.format);
          count += batch.length;
          yield { kind: 'copy-data', statement: index, lines };
        }
      } else {
        const binary = b.format.format === 'binary';
        yield { kind: 'copy-in', statement: index, columns: b.columns, types: entry.paramTypes, format: b.format.format };
        if (binary ? !options.copyInRows : !options.copyIn) throw engineError('not_supported', 'COPY FROM STDIN is not supported by this client');
        const table = b.plan.kind === 'insert' ? b.plan.table.name : '';
        const parser = new CopyParser(b.format, b.columns.length, table);
        // A binary COPY's "line" is its row number, as in PostgreSQL's error context.
        let rowNumber = 0;
        const insert = (rows: readonly (readonly unknown[])[]): void => {
          for (const row of rows) {
            if (signal.aborted) throw signal.reason;
            rowNumber++;
            try {
              count += runWrite(entry.query, { txn, params: coerceParams(row, entry.paramTypes), now, system });
            } catch (e) {
              const err = toOrbitError(e);
              throw new OrbitError(err.sqlstate, err.message, { ...(err.detail !== undefined ? { detail: err.detail } : {}), ...(err.hint !== undefined ? { hint: err.hint } : {}), where: `COPY ${table}, line ${binary ? rowNumber : parser.lineNumber}` });
            }
          }
        };
        if (binary) for await (const rows of options.copyInRows!(entry.paramTypes)) insert(rows);
        else {
          for await (const chunk of options.copyIn!()) insert(parser.push(chunk));
          insert(parser.end());
        }
      }
      return { tag: `COPY ${count}`, count };
    });
  }

  private async *transaction(b: Extract<BoundStatement, { kind: 'transaction' }>, index: number): AsyncGenerator<ResultEvent> {
    const warn = (code: 'active_transaction' | 'no_active_transaction'): ResultEvent => {
      const e = engineError(code);
      return { kind: 'notice', statement: index, notice: { severity: 'WARNING', sqlstate: e.sqlstate, message: e.message } };
    };
    switch (b.action) {
      case 'begin':
        if (this.explicit) yield warn('active_transaction');
        else {
          this.txn ??= this.engine.begin();
          this.engine.sqlShards?.markBlock(this.txn);
          this.explicit = true;
        }
        yield { kind: 'end', statement: index, tag: 'BEGIN', rowCount: 0 };
        return;
      case 'commit': {
        if (!this.explicit) yield warn('no_active_transaction');
        const t = this.txn;
        const wasFailed = this.failed;
        this.txn = undefined;
        this.explicit = false;
        this.failed = false;
        if (t) {
          if (wasFailed) t.rollback();
          else await t.commit();
        }
        yield { kind: 'end', statement: index, tag: wasFailed ? 'ROLLBACK' : 'COMMIT', rowCount: 0 };
        return;
      }
      case 'rollback':
        if (!this.explicit) yield warn('no_active_transaction');
        this.txn?.rollback();
        this.txn = undefined;
        this.explicit = false;
        this.failed = false;
        yield { kind: 'end', statement: index, tag: 'ROLLBACK', rowCount: 0 };
        return;
      case 'savepoint':
      case 'release':
      case 'rollback-to': {
        if (!this.explicit || !this.txn) {
          const word = b.action === 'savepoint' ? 'SAVEPOINT' : b.action === 'release' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
          throw new OrbitError('25P01', `${word} can only be used in transaction blocks`);
        }
        const name = b.savepoint ?? '';
        try {
          if (b.action === 'savepoint') this.txn.savepoint(name);
          else if (b.action === 'release') this.txn.release(name);
          else {
            this.txn.rollbackTo(name);
            this.failed = false;
          }
        } catch (e) {
          const err = toOrbitError(e);
          throw err.sqlstate === 'XX000' ? engineError('savepoint_missing', name) : err;
        }
        yield { kind: 'end', statement: index, tag: b.action === 'savepoint' ? 'SAVEPOINT' : b.action === 'release' ? 'RELEASE' : 'ROLLBACK', rowCount: 0 };
        return;
      }
    }
  }
}

/** The command word of a statement, as PostgreSQL's CommandComplete starts. */
export function commandOf(b: BoundStatement): string {
  switch (b.kind) {
    case 'query':
      return commandOfPlan(b.plan.kind);
    case 'create-table':
      return b.asQuery ? 'SELECT' : 'CREATE TABLE';
    case 'drop':
      return `DROP ${b.objectKind.toUpperCase()}`;
    case 'create-index':
      return 'CREATE INDEX';
    case 'create-view':
      return 'CREATE VIEW';
    case 'alter-table':
      return 'ALTER TABLE';
    case 'transaction':
      return { begin: 'BEGIN', commit: 'COMMIT', rollback: 'ROLLBACK', savepoint: 'SAVEPOINT', release: 'RELEASE', 'rollback-to': 'ROLLBACK' }[b.action];
    case 'set':
      return 'SET';
    case 'show':
      return 'SHOW';
    case 'analyze':
      return 'ANALYZE';
    case 'copy':
      return 'COPY';
    case 'explain':
      return 'EXPLAIN';
  }
}

/**
 * A write without RETURNING that touches at most one row and cascades nowhere: UPDATE or DELETE of
 * a primary-key equality match, or INSERT of one VALUES row without ON CONFLICT.
 */
function isPointWrite(q: PhysicalQuery): boolean {
  const p = q.plan;
  if (Object.keys(q.subplans).length > 0) return false;
  if (p.kind === 'insert') return !p.returning && !p.onConflict && p.source.kind === 'values' && p.source.rows.length <= 1;
  if ((p.kind !== 'update' && p.kind !== 'delete') || p.returning) return false;
  if (p.constraints && Object.keys(p.constraints.referencedBy).length > 0) return false;
  const s = p.input;
  return s.kind === 'index-scan' && s.index.primary && !s.range && s.eq.length === s.index.columns.length;
}

/** COMMIT, ROLLBACK and ROLLBACK TO: the statements a failed transaction still accepts. */
function isTransactionEnd(ast: SqlAst.Statement): boolean {
  return ast.kind === 'transaction' && (ast.action === 'commit' || ast.action === 'rollback' || ast.action === 'rollback-to');
}

export function commandOfPlan(kind: string): string {
  return kind === 'insert' ? 'INSERT' : kind === 'update' ? 'UPDATE' : kind === 'delete' ? 'DELETE' : 'SELECT';
}

function tagOf(command: string, rows: number): string {
  if (command === 'INSERT') return `INSERT 0 ${rows}`;
  return `${command} ${rows}`;
}

function actualStats(stats: ReadonlyMap<number, OperatorStats> | undefined): Map<number, ActualStats> {
  const out = new Map<number, ActualStats>();
  for (const [k, v] of stats ?? []) out.set(k, { actualRows: v.rows, batches: v.batches, timeMs: v.timeMs });
  return out;
}

/**
 * A signal that also reports aborted once a deadline passes. The executor polls `aborted` between
 * batches inside synchronous loops where no timer can fire, so the deadline is checked by clock.
 */
function deadlineSignal(controller: AbortController, ms: number): AbortSignal {
  const deadline = performance.now() + ms;
  const inner = controller.signal;
  const timeout = engineError('statement_timeout');
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'aborted') return target.aborted || performance.now() > deadline;
      if (prop === 'reason') return target.aborted ? target.reason : performance.now() > deadline ? timeout : undefined;
      if (prop === 'throwIfAborted') return () => {
        if (target.aborted) throw target.reason;
        if (performance.now() > deadline) throw timeout;
      };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Collects streamed events into whole statement results. */
async function collect(events: AsyncIterable<ResultEvent>): Promise<StatementResult[]> {
  const results: StatementResult[] = [];
  let current: { command: string; columns: readonly ResultColumn[]; batches: RowBatch[]; notices: Notice[] } | undefined;
  const pending: Notice[] = [];
  for await (const ev of events) {
    switch (ev.kind) {
      case 'start':
        current = { command: ev.command, columns: ev.columns, batches: [], notices: pending.splice(0) };
        break;
      case 'batch':
        current!.batches.push(ev.batch);
        break;
      case 'notice':
        (current ? current.notices : pending).push(ev.notice);
        break;
      case 'end':
        results.push({ ...current!, tag: ev.tag, rowCount: ev.rowCount });
        current = undefined;
        break;
      case 'copy-in':
      case 'copy-out':
      case 'copy-data':
      case 'copy-rows':
        // Collected results have no place for COPY's data: protocols that speak COPY use `stream`.
        break;
    }
  }
  return results;
}
