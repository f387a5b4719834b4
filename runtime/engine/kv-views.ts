// The key-value model's keyspace as read-only SQL views in schema `kv`, served by the system-view scan hook.
//
// Rows are made from the in-memory keyspace of the engine's data directory when a view is scanned, so
// SQL sees every acknowledged Redis write. When no listener holds that keyspace open in this process, it
// is opened for the scan and released after. Keys, fields and values are shown as UTF-8 text (Redis
// strings are bytes; invalid UTF-8 shows as U+FFFD). Expired keys that were not swept yet are left out.
import { T, type DataType } from '../../compiler/index.ts';
import * as kv from '../kv/index.ts';
import type { KvSnapshot } from '../kv/index.ts';
import type { ViewDef } from './system-views.ts';

const TEXT = T.text;
const INT = T.int32;
const BIG = T.int64;
const FLOAT: DataType = T.float64;

/** Bytes held as a latin1 string, read as UTF-8 text. */
function text(s: string): string {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.from(s, 'latin1').toString('utf8');
  return s;
}

/** Runs `read` over the keyspace of `dataDir`, opening it for the call when no listener has it open. */
function withKeyspace(dataDir: string, read: (snap: KvSnapshot) => unknown[][]): unknown[][] {
  const open = kv.Keyspace.opened(dataDir);
  if (open) return read(open.snapshot());
  const ks = kv.Keyspace.acquire(dataDir);
  try {
    return read(ks.snapshot());
  } finally {
    void ks.release(dataDir);
  }
}

/** One view per value type plus `kv.keys`; every row carries its database number. */
export const KV_VIEWS: readonly ViewDef[] = [
  {
    schema: 'kv',
    name: 'keys',
    columns: [['key', TEXT], ['type', TEXT], ['ttl_ms', BIG], ['db', INT]],
    rows: (src) =>
      withKeyspace(src.dataDir, (snap) => {
        const rows: unknown[][] = [];
        for (const e of snap.entries()) rows.push([text(e.key), e.type, e.expireAt === undefined ? null : BigInt(Math.max(0, e.expireAt - snap.now)), e.db]);
        return rows;
      }),
  },
  {
    schema: 'kv',
    name: 'strings',
    columns: [['key', TEXT], ['value', TEXT], ['db', INT]],
    rows: (src) =>
      withKeyspace(src.dataDir, (snap) => {
        const rows: unknown[][] = [];
        for (const e of snap.entries()) if (typeof e.value === 'string') rows.push([text(e.key), text(e.value), e.db]);
        return rows;
      }),
  },
  {
    schema: 'kv',
    name: 'hashes',
    columns: [['key', TEXT], ['field', TEXT], ['value', TEXT], ['db', INT]],
    rows: (src) =>
      withKeyspace(src.dataDir, (snap) => {
        const rows: unknown[][] = [];
        for (const e of snap.entries()) if (e.value instanceof Map) for (const [f, v] of e.value) rows.push([text(e.key), text(f), text(v), e.db]);
        return rows;
      }),
  },
  {
    schema: 'kv',
    name: 'lists',
    columns: [['key', TEXT], ['position', BIG], ['value', TEXT], ['db', INT]],
    rows: (src) =>
      withKeyspace(src.dataDir, (snap) => {
        const rows: unknown[][] = [];
        for (const e of snap.entries()) {
          const l = e.value;
          if (l instanceof kv.Deque) for (let i = 0; i < l.length; i++) rows.push([text(e.key), BigInt(i), text(l.at(i)), e.db]);
        }
        return rows;
      }),
  },
  {
    schema: 'kv',
    name: 'sets',
    columns: [['key', TEXT], ['member', TEXT], ['db', INT]],
    rows: (src) =>
      withKeyspace(src.dataDir, (snap) => {
        const rows: unknown[][] = [];
        for (const e of snap.entries()) if (e.value instanceof Set) for (const m of e.value) rows.push([text(e.key), text(m), e.db]);
        return rows;
      }),
  },
  {
    schema: 'kv',
    name: 'zsets',
    columns: [['key', TEXT], ['member', TEXT], ['score', FLOAT], ['db', INT]],
    rows: (src) =>
      withKeyspace(src.dataDir, (snap) => {
        const rows: unknown[][] = [];
        for (const e of snap.entries()) {
          const z = e.value;
          if (z instanceof kv.ZSet) for (const m of z.order) rows.push([text(e.key), text(m), z.scores.get(m)!, e.db]);
        }
        return rows;
      }),
  },
];
