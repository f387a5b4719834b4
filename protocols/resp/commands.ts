// Commands answered by the connection rather than the keyspace: connection, auth, transactions,
// pub/sub, CLIENT, CONFIG, INFO and COMMAND (the latter from the command table itself).
import { asciiLower, asciiUpper, type CommandSpec, type KeyOp, type RespArgNode } from '../../compiler/index.ts';
import { kv } from '../../runtime/index.ts';
import { RESP_ERRORS } from './errors.ts';
import type { RespSession, ServerContext } from './session.ts';

/** A command the session runs itself. */
export type SessionHandler = (s: RespSession, op: KeyOp) => void;

function str(op: KeyOp, name: string): string | undefined {
  const v = op.args[name];
  return typeof v === 'string' ? v : undefined;
}

function list(op: KeyOp, name: string): readonly string[] {
  const v = op.args[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

/** Checks a username/password pair against the configured users. */
function authenticate(s: RespSession, user: string, password: string): boolean {
  const users = s.ctx.users;
  if (users.size === 0) return false;
  const expected = users.get(user);
  if (expected === undefined || expected !== password) return false;
  s.user = user;
  s.authenticated = true;
  return true;
}

function helloReply(s: RespSession): void {
  const o = s.out;
  o.map(7);
  o.bulk('server');
  o.bulk('redis');
  o.bulk('version');
  o.bulk('7.0.15');
  o.bulk('proto');
  o.integer(o.protocol);
  o.bulk('id');
  o.integer(s.id);
  o.bulk('mode');
  o.bulk('standalone');
  o.bulk('role');
  o.bulk('master');
  o.bulk('modules');
  o.array(0);
}

/** COMMAND INFO's entry for one command (Redis 7 layout: name, arity, flags, keys, categories, tips, key specs, subcommands). */
function commandInfo(s: RespSession, c: CommandSpec, subs: readonly CommandSpec[]): void {
  const o = s.out;
  o.array(10);
  o.bulk(asciiLower(c.name));
  o.integer(c.arity);
  const flags = c.flags;
  o.set(flags.length);
  for (const f of flags) o.simple(f);
  o.integer(c.firstKey);
  o.integer(c.lastKey);
  o.integer(c.keyStep);
  const cats = [`@${c.group}`, c.flags.includes('write') ? '@write' : c.flags.includes('readonly') ? '@read' : '@connection'];
  o.set(cats.length);
  for (const cat of cats) o.simple(cat);
  o.set(0);
  o.set(0);
  o.array(subs.length);
  for (const sub of subs) commandInfo(s, sub, []);
}

/** COMMAND DOCS argument entries, derived from the signature's syntax tree. */
function argDocs(s: RespSession, nodes: readonly RespArgNode[]): void {
  const o = s.out;
  o.array(nodes.length);
  nodes.forEach((n, i) => {
    const fields: [string, () => void][] = [];
    if (n.kind === 'keyword') {
      fields.push(['name', () => o.bulk(n.word.toLowerCase())], ['type', () => o.bulk('pure-token')], ['token', () => o.bulk(n.word)]);
    } else if (n.kind === 'value') {
      fields.push(['name', () => o.bulk(n.name)], ['type', () => o.bulk(n.name === 'key' || n.name.endsWith('key') ? 'key' : 'string')]);
    } else {
      const alts = n.alternatives;
      fields.push(['name', () => o.bulk(`arg${i}`)], ['type', () => o.bulk(alts.length > 1 ? 'oneof' : 'block')]);
      if (n.kind === 'optional') fields.push(['flags', () => (o.set(n.repeat ? 2 : 1), o.simple('optional'), n.repeat ? o.simple('multiple') : undefined)]);
      fields.push(['arguments', () => argDocs(s, alts.length === 1 ? alts[0]! : alts.map((a) => a[0]!))]);
    }
    o.map(fields.length);
    for (const [k, w] of fields) {
      o.bulk(k);
      w();
    }
  });
}

function commandDocs(s: RespSession, c: CommandSpec): void {
  const o = s.out;
  o.bulk(asciiLower(c.name));
  o.map(4);
  o.bulk('summary');
  o.bulk(c.syntax);
  o.bulk('since');
  o.bulk('1.0.0');
  o.bulk('group');
  o.bulk(c.group);
  o.bulk('arguments');
  argDocs(s, c.args);
}

function subcommandsOf(s: RespSession, name: string): CommandSpec[] {
  const e = s.ctx.table.commands.get(name);
  return e && 'subcommands' in e ? [...e.subcommands.values()] : [];
}

function topLevel(s: RespSession): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (const e of s.ctx.table.commands.values()) {
    if ('subcommands' in e) {
      const first = e.bare ?? [...e.subcommands.values()][0]!;
      out.push({ ...first, name: e.name, arity: e.bare?.arity ?? -2 });
    } else out.push(e);
  }
  return out;
}

/** INFO sections (spec: INFO command), as `name:value` lines. */
function infoText(s: RespSession, sections: readonly string[]): string {
  const ks = s.ks;
  const want = (n: string): boolean => sections.length === 0 || sections.some((x) => ['all', 'everything', 'default', n].includes(x.toLowerCase()));
  const mem = process.memoryUsage();
  const parts: string[] = [];
  if (want('server')) {
    parts.push(
      ['# Server', 'redis_version:7.0.15', 'redis_mode:standalone', 'orbit_server:1', `os:${process.platform}`, `process_id:${process.pid}`, `tcp_port:${s.ctx.config.get('port') ?? ''}`, `uptime_in_seconds:${Math.floor((Date.now() - s.ctx.startedAt) / 1000)}`, `uptime_in_days:${Math.floor((Date.now() - s.ctx.startedAt) / 86400000)}`].join('\r\n'),
    );
  }
  if (want('clients')) {
    let blocked = 0;
    let pubsub = 0;
    for (const x of s.ctx.sessions.values()) {
      if (x.blocked) blocked++;
      if (x.channels.size + x.patterns.size > 0) pubsub++;
    }
    parts.push(['# Clients', `connected_clients:${s.ctx.sessions.size}`, `blocked_clients:${blocked}`, `pubsub_clients:${pubsub}`, `maxclients:${s.ctx.config.get('maxclients')}`].join('\r\n'));
  }
  if (want('memory')) {
    // The keyspace's arenas are buffers outside the JavaScript heap: both count as used memory.
    const used = mem.heapUsed + mem.external;
    parts.push(['# Memory', `used_memory:${used}`, `used_memory_human:${(used / 1048576).toFixed(2)}M`, `used_memory_rss:${mem.rss}`, `used_memory_rss_human:${(mem.rss / 1048576).toFixed(2)}M`, `maxmemory:0`, `maxmemory_policy:noeviction`].join('\r\n'));
  }
  if (want('persistence')) {
    parts.push(['# Persistence', 'loading:0', `rdb_changes_since_last_save:${ks.changesSinceSave}`, `rdb_last_save_time:${ks.lastSave}`, `aof_enabled:1`, `appendfsync:${ks.durability}`].join('\r\n'));
  }
  if (want('stats')) {
    parts.push(
      ['# Stats', `total_connections_received:${s.ctx.stats.connections}`, `total_commands_processed:${ks.stats.commands}`, `rejected_connections:${s.ctx.stats.rejected}`, `expired_keys:${ks.stats.expiredKeys}`, `keyspace_hits:${ks.stats.keyspaceHits}`, `keyspace_misses:${ks.stats.keyspaceMisses}`, `pubsub_channels:${ks.pubsub.channels.size}`, `pubsub_patterns:${ks.pubsub.patterns.size}`].join('\r\n'),
    );
  }
  if (want('keyspace')) {
    const lines = ['# Keyspace'];
    for (let db = 0; db < kv.DATABASES; db++) {
      const n = ks.size(db);
      if (n > 0) lines.push(`db${db}:keys=${n},expires=${ks.expires[db]!.size},avg_ttl=0`);
    }
    parts.push(lines.join('\r\n'));
  }
  return parts.join('\r\n\r\n') + '\r\n';
}

function pubsubCount(s: RespSession): number {
  return s.channels.size + s.patterns.size;
}

const CLIENT_NAME = /^[!-~]*$/;

/** CLIENT KILL TYPE values (replicas and masters never match here: there are none). */
const CLIENT_TYPES = new Set(['normal', 'master', 'slave', 'replica', 'pubsub']);

export const sessionCommands: ReadonlyMap<string, SessionHandler> = new Map<string, SessionHandler>([
  ['PING', (s, op) => {
    const msg = str(op, 'message');
    if (s.out.protocol === 2 && pubsubCount(s) > 0) {
      s.out.array(2);
      s.out.bulk('pong');
      s.out.bulk(msg ?? '');
    } else if (msg !== undefined) s.out.bulk(msg);
    else s.out.simple('PONG');
  }],
  ['ECHO', (s, op) => s.out.bulk(op.argv[1]!)],
  ['HELLO', (s, op) => {
    const raw = str(op, 'protover');
    let proto = s.out.protocol;
    if (raw !== undefined) {
      const n = /^-?[0-9]+$/.test(raw) ? Number(raw) : NaN;
      if (Number.isNaN(n)) return s.out.error('ERR Protocol version is not an integer or out of range');
      if (n !== 2 && n !== 3) return s.out.error(RESP_ERRORS.noproto);
      proto = n;
    }
    if (op.args['AUTH'] === true) {
      if (!authenticate(s, str(op, 'username')!, str(op, 'password')!)) return s.out.error(RESP_ERRORS.wrongpass);
    } else if (!s.authenticated) return s.out.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    const name = str(op, 'clientname');
    if (name !== undefined) {
      if (!CLIENT_NAME.test(name)) return s.out.error(RESP_ERRORS.client_name);
      s.name = name;
    }
    s.out.protocol = proto;
    helloReply(s);
  }],
  ['AUTH', (s, op) => {
    const user = str(op, 'username') ?? 'default';
    if (s.ctx.users.size === 0) {
      if (str(op, 'username') === undefined) return s.out.error(RESP_ERRORS.auth_no_password);
      return s.out.error(RESP_ERRORS.wrongpass);
    }
    if (!authenticate(s, user, str(op, 'password')!)) return s.out.error(RESP_ERRORS.wrongpass);
    s.out.simple('OK');
  }],
  ['SELECT', (s, op) => {
    const raw = op.argv[1]!;
    if (!/^-?[0-9]+$/.test(raw)) return s.out.error(RESP_ERRORS.not_integer);
    const n = Number(raw);
    if (n < 0 || n >= kv.DATABASES) return s.out.error(RESP_ERRORS.db_out_of_range);
    s.db = n;
    s.out.simple('OK');
  }],
  ['QUIT', (s) => {
    s.out.simple('OK');
    s.quit();
  }],
  ['RESET', (s) => {
    s.reset();
    s.out.simple('RESET');
  }],
  ['MULTI', (s) => s.beginMulti()],
  ['EXEC', (s) => s.exec()],
  ['DISCARD', (s) => s.discard()],
  ['WATCH', (s, op) => s.watch(list(op, 'key'))],
  ['UNWATCH', (s) => {
    s.unwatchAll();
    s.out.simple('OK');
  }],
  ['SUBSCRIBE', (s, op) => s.subscribe('subscribe', list(op, 'channel'))],
  ['PSUBSCRIBE', (s, op) => s.subscribe('psubscribe', list(op, 'pattern'))],
  ['UNSUBSCRIBE', (s, op) => s.unsubscribe('unsubscribe', list(op, 'channel'))],
  ['PUNSUBSCRIBE', (s, op) => s.unsubscribe('punsubscribe', list(op, 'pattern'))],
  ['PUBLISH', (s, op) => s.out.integer(s.ks.pubsub.publish(op.argv[1]!, op.argv[2]!))],
  ['PUBSUB|CHANNELS', (s, op) => {
    const pattern = str(op, 'pattern');
    const names = [...s.ks.pubsub.channels.keys()].filter((c) => pattern === undefined || kv.globMatch(pattern, c));
    s.out.array(names.length);
    for (const n of names) s.out.bulk(n);
  }],
  ['PUBSUB|NUMSUB', (s, op) => {
    const names = list(op, 'channel');
    s.out.map(names.length);
    for (const n of names) {
      s.out.bulk(n);
      s.out.integer(s.ks.pubsub.channels.get(n)?.size ?? 0);
    }
  }],
  ['PUBSUB|NUMPAT', (s) => s.out.integer(s.ks.pubsub.patterns.size)],
  ['CLIENT|ID', (s) => s.out.integer(s.id)],
  ['CLIENT|SETNAME', (s, op) => {
    const name = op.argv[2]!;
    if (!CLIENT_NAME.test(name) || name.includes(' ')) return s.out.error(RESP_ERRORS.client_name);
    s.name = name;
    s.out.simple('OK');
  }],
  ['CLIENT|GETNAME', (s) => s.out.bulk(s.name === '' ? null : s.name)],
  ['CLIENT|INFO', (s) => s.out.verbatim(s.info() + '\n')],
  ['CLIENT|LIST', (s, op) => {
    const ids = list(op, 'client-id').map(Number);
    const type = op.choices[0];
    const lines: string[] = [];
    for (const x of s.ctx.sessions.values()) {
      if (ids.length > 0 && !ids.includes(x.id)) continue;
      if (type === 'PUBSUB' && x.channels.size + x.patterns.size === 0) continue;
      if (type === 'MASTER' || type === 'REPLICA') continue;
      lines.push(x.info() + '\n');
    }
    s.out.verbatim(lines.join(''));
  }],
  ['CLIENT|KILL', (s, op) => {
    const argv = op.argv;
    const kill = (victims: readonly RespSession[]): void => {
      // Killing oneself closes after this reply is sent.
      for (const v of victims) v === s ? queueMicrotask(() => s.close()) : v.close();
    };
    const all = [...s.ctx.sessions.values()];
    if (argv.length === 3) {
      // The old form: CLIENT KILL ip:port, answered with OK or an error.
      const victims = all.filter((x) => x.remote === argv[2]);
      if (victims.length === 0) return s.out.error(RESP_ERRORS.no_such_client);
      kill(victims);
      return s.out.simple('OK');
    }
    // Filters, all of which a client must match (spec: CLIENT KILL, "new form").
    const tests: ((x: RespSession) => boolean)[] = [];
    let skipMe = true;
    for (let i = 2; i + 1 < argv.length; i += 2) {
      const v = argv[i + 1]!;
      switch (asciiUpper(argv[i]!)) {
        case 'ID': {
          const id = /^[0-9]+$/.test(v) ? Number(v) : 0;
          if (id <= 0) return s.out.error(RESP_ERRORS.client_id_positive);
          tests.push((x) => x.id === id);
          break;
        }
        case 'TYPE': {
          const type = asciiLower(v);
          if (!CLIENT_TYPES.has(type)) return s.out.error(RESP_ERRORS.unknown_client_type.replace('%s', v));
          tests.push((x) => (type === 'pubsub' ? pubsubCount(x) > 0 : type === 'normal' ? pubsubCount(x) === 0 : false));
          break;
        }
        case 'USER':
          if (v !== 'default' && !s.ctx.users.has(v)) return s.out.error(RESP_ERRORS.no_such_user.replace('%s', v));
          tests.push((x) => x.user === v);
          break;
        case 'ADDR':
          tests.push((x) => x.remote === v);
          break;
        case 'LADDR':
          tests.push((x) => x.local === v);
          break;
        case 'SKIPME':
          skipMe = asciiUpper(v) === 'YES';
          break;
        default:
          return s.out.error(RESP_ERRORS.syntax);
      }
    }
    const victims = all.filter((x) => !(skipMe && x === s) && tests.every((t) => t(x)));
    kill(victims);
    s.out.integer(victims.length);
  }],
  ['CLIENT|NO-EVICT', (s, op) => {
    s.noEvict = op.choices[0] === 'ON';
    s.out.simple('OK');
  }],
  ['INFO', (s, op) => s.out.verbatim(infoText(s, list(op, 'section')))],
  ['TIME', (s) => {
    const now = performance.timeOrigin + performance.now();
    s.out.array(2);
    s.out.bulk(String(Math.floor(now / 1000)));
    s.out.bulk(String(Math.floor((now % 1000) * 1000)));
  }],
  ['CONFIG|GET', (s, op) => {
    const pairs: [string, string][] = [];
    for (const p of list(op, 'parameter')) {
      const lp = asciiLower(p);
      for (const [k, v] of s.ctx.config) if (kv.globMatch(lp, k) && !pairs.some(([x]) => x === k)) pairs.push([k, v]);
    }
    s.out.map(pairs.length);
    for (const [k, v] of pairs) (s.out.bulk(k), s.out.bulk(v));
  }],
  ['CONFIG|SET', (s, op) => {
    const names = list(op, 'parameter');
    const values = list(op, 'value');
    for (const [i, raw] of names.entries()) {
      const k = asciiLower(raw);
      const setter = CONFIG_SETTERS[k];
      if (!setter) return s.out.error(RESP_ERRORS.unknown_config.replace('%s', raw));
      if (!setter(s, values[i]!)) return s.out.error(RESP_ERRORS.invalid_config.replace('%s', raw));
    }
    s.out.simple('OK');
  }],
  ['LASTSAVE', (s) => s.out.integer(s.ks.lastSave)],
  ['SAVE', (s) => {
    // Every key is already on its way to LMDB by group commit: SAVE commits now and answers once it is durable.
    s.waitFor(s.ks.flush(), () => s.out.simple('OK'));
  }],
  ['BGSAVE', (s) => {
    void s.ks.flush();
    s.out.simple('Background saving started');
  }],
  ['COMMAND', (s) => {
    const all = topLevel(s);
    s.out.array(all.length);
    for (const c of all) commandInfo(s, c, subcommandsOf(s, c.name));
  }],
  ['COMMAND|COUNT', (s) => s.out.integer(s.ctx.table.commands.size)],
  ['COMMAND|INFO', (s, op) => {
    const names = list(op, 'command-name');
    const chosen = names.length === 0 ? topLevel(s) : names.map((n) => topLevel(s).find((c) => c.name === asciiUpper(n)));
    s.out.array(chosen.length);
    for (const c of chosen) {
      if (c) commandInfo(s, c, subcommandsOf(s, c.name));
      else s.out.nullArray();
    }
  }],
  ['COMMAND|DOCS', (s, op) => {
    const names = list(op, 'command-name');
    const all = [...s.ctx.table.all()];
    const chosen = names.length === 0 ? all : all.filter((c) => names.some((n) => asciiUpper(n) === c.name || asciiUpper(n).replace(' ', '|') === c.name));
    s.out.map(chosen.length);
    for (const c of chosen) commandDocs(s, c);
  }],
]);

/** Settings CONFIG SET may change at run time; each returns false for an unparsable value. */
const CONFIG_SETTERS: Record<string, (s: RespSession, v: string) => boolean> = {
  requirepass: (s, v) => {
    if (v === '') s.ctx.users.delete('default');
    else s.ctx.users.set('default', v);
    s.ctx.config.set('requirepass', v);
    return true;
  },
  appendfsync: (s, v) => {
    const l = v.toLowerCase();
    if (l !== 'always' && l !== 'everysec') return false;
    s.ks.durability = l;
    s.ctx.config.set('appendfsync', l);
    return true;
  },
  'client-output-buffer-limit': (s, v) => {
    const parsed = parseOutputLimits(v, s.ctx.outputLimits);
    if (!parsed) return false;
    s.ctx.outputLimits = parsed;
    s.ctx.config.set('client-output-buffer-limit', formatOutputLimits(parsed));
    return true;
  },
  maxclients: (s, v) => numeric(s, 'maxclients', v),
  timeout: (s, v) => numeric(s, 'timeout', v),
  'proto-max-bulk-len': (s, v) => numeric(s, 'proto-max-bulk-len', v),
};

function numeric(s: RespSession, key: string, v: string): boolean {
  if (!/^[0-9]+$/.test(v)) return false;
  s.ctx.config.set(key, v);
  return true;
}

/** Redis's default client-output-buffer-limit: none for normal clients, 32 MB hard / 8 MB for 60 s for pub/sub. */
export const DEFAULT_OUTPUT_LIMITS = 'normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60';

const MEMORY_UNITS: ReadonlyMap<string, number> = new Map([['', 1], ['b', 1], ['k', 1000], ['kb', 1024], ['m', 1000 ** 2], ['mb', 1024 ** 2], ['g', 1000 ** 3], ['gb', 1024 ** 3]]);

/** A Redis memory amount (`32mb`, `8388608`), or undefined. */
function memoryAmount(text: string): number | undefined {
  const m = /^([0-9]+)([a-z]*)$/.exec(text.toLowerCase());
  const unit = m ? MEMORY_UNITS.get(m[2]!) : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : undefined;
}

/**
 * Parses `<class> <hard> <soft> <seconds>` groups (spec: client-output-buffer-limit) onto `base`;
 * replica limits are accepted and ignored (there are no replicas). Undefined when malformed.
 */
export function parseOutputLimits(text: string, base: ServerContext['outputLimits']): ServerContext['outputLimits'] | undefined {
  const words = text.trim().split(/\s+/);
  if (words.length % 4 !== 0) return undefined;
  const next = { ...base };
  for (let i = 0; i < words.length; i += 4) {
    const cls = words[i]!.toLowerCase();
    const hard = memoryAmount(words[i + 1]!);
    const soft = memoryAmount(words[i + 2]!);
    const seconds = /^[0-9]+$/.test(words[i + 3]!) ? Number(words[i + 3]) : undefined;
    if (hard === undefined || soft === undefined || seconds === undefined) return undefined;
    if (cls === 'normal' || cls === 'pubsub') next[cls] = { hard, soft, seconds };
    else if (cls !== 'replica' && cls !== 'slave') return undefined;
  }
  return next;
}

/** CONFIG GET's text for the limits, in bytes as Redis prints them. */
export function formatOutputLimits(l: ServerContext['outputLimits']): string {
  return `normal ${l.normal.hard} ${l.normal.soft} ${l.normal.seconds} slave 268435456 67108864 60 pubsub ${l.pubsub.hard} ${l.pubsub.soft} ${l.pubsub.seconds}`;
}
