// Durability (issue #3): a writer killed with SIGKILL loses no acknowledged commit, and the store reopens cleanly.

import { expect, test } from 'bun:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TableInfo } from '../../compiler/catalog/index.ts';
import { Store } from '../../runtime/storage/index.ts';

const fixture = path.join(import.meta.dir, 'fixtures', 'durability-writer.ts');

async function runAndKill(dir: string, minRows: number, extraMs: number): Promise<bigint[]> {
  const child = Bun.spawn([process.execPath, fixture, dir], { stdout: 'pipe', stderr: 'pipe' });
  const acked: bigint[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  const reader = child.stdout.getReader();
  let killAt: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const l of lines) acked.push(BigInt(l));
    if (killAt === undefined && acked.length >= minRows) killAt = Date.now() + extraMs;
    if (killAt !== undefined && Date.now() >= killAt) {
      child.kill('SIGKILL');
      break;
    }
  }
  await child.exited;
  expect(child.signalCode).toBe('SIGKILL');
  return acked;
}

test('every id acknowledged before SIGKILL is present after reopening (3 random kills)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-durability-'));
  try {
    for (let round = 0; round < 3; round++) {
      const acked = await runAndKill(dir, 50 + Math.floor(Math.random() * 200), Math.floor(Math.random() * 150));
      expect(acked.length).toBeGreaterThanOrEqual(50);
      const store = Store.open(dir);
      const t = store.catalog.getRelation(undefined, 'items') as TableInfo;
      const txn = store.begin();
      const missing = acked.filter((id) => txn.get(t, [id]) === undefined);
      expect(missing).toEqual([]);
      // The secondary index agrees with the rows (the store opened cleanly and consistently).
      const rows = [...txn.scan(t, 1000)].flat();
      const viaIndex = [...txn.indexScan(t, 'items_payload', [])];
      expect(viaIndex.length).toBe(rows.length);
      txn.rollback();
      // Ids restart from 1 in each round: clear the table so the next round's inserts are new.
      await store.dropTable(undefined, 'items');
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('DDL and a bulk load are durable when they return: a SIGKILL right after loses none of them', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orbit-durability-ddl-'));
  try {
    const child = Bun.spawn([process.execPath, path.join(import.meta.dir, 'fixtures', 'ddl-then-kill.ts'), dir], { stdout: 'pipe', stderr: 'pipe' });
    await child.exited;
    expect(child.signalCode).toBe('SIGKILL');
    const store = Store.open(dir);
    const t = store.catalog.getRelation(undefined, 'loaded') as TableInfo | undefined;
    expect(t?.indexes.map((i) => i.name).sort()).toEqual(['loaded_label', 'loaded_pkey']);
    const txn = store.begin();
    expect([...txn.scan(t!, 1000)].flat()).toHaveLength(500);
    expect([...txn.indexScan(t!, 'loaded_label', [])]).toHaveLength(500);
    txn.rollback();
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
