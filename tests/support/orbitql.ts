// An engine over LMDB in a temp dir with one session, for tests that run OrbitQL for real.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, resultRows, type Session } from '../../runtime/index.ts';

export interface OrbitQlDb {
  readonly engine: Engine;
  readonly session: Session;
  /** Runs an OrbitQL script; the rows of its last statement. */
  oql(text: string, vars?: Record<string, unknown>): Promise<unknown[][]>;
  /** Closes the engine and removes its directory. */
  close(): Promise<void>;
}

export async function openOrbitQlDb(prefix: string): Promise<OrbitQlDb> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const engine = await Engine.open({ dataDir: dir });
  const session = engine.session();
  return {
    engine,
    session,
    async oql(text, vars) {
      const results = await session.execute(text, [], vars ? { language: 'orbitql', vars } : { language: 'orbitql' });
      return resultRows(results[results.length - 1]!);
    },
    async close() {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
