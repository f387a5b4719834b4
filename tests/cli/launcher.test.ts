// The installed `orbit` launcher (runtime/cli/orbit.js) and the server's signal handling.
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFirstLine, spawnServer } from '../support/server.ts';

const launcher = join(import.meta.dir, '..', '..', 'runtime', 'cli', 'orbit.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-launcher-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Pids of processes whose command line (arguments joined by spaces) contains `marker`. */
function pidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').includes(marker)) pids.push(Number(d));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

test('orbit server through the launcher: a SIGTERM to the launcher alone stops the server with exit 0', async () => {
  const data = join(dir, 'launched');
  const env = { ...process.env, ORBIT_HTTP_PORT: 'off' };
  const proc = Bun.spawn([process.execPath, launcher, 'server', '--pg-port', '0', '--resp-port', 'off', '--data', data], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env });
  expect(await readFirstLine(proc.stdout)).toMatch(/^orbit: pg listening on 127\.0\.0\.1:\d+$/);
  const server = pidsWith(`main.ts server --pg-port 0 --resp-port off --data ${data}`);
  expect(server.length).toBe(1);
  proc.kill('SIGTERM');
  expect(await proc.exited).toBe(0);
  expect(pidsWith(`--data ${data}`)).toEqual([]);
});

test('a second signal during the clean stop does not cut it short', async () => {
  const { proc, firstLine } = await spawnServer(['--pg-port', '0', '--resp-port', 'off', '--data', join(dir, 'twice')]);
  expect(firstLine).toMatch(/pg listening/);
  proc.kill('SIGINT');
  proc.kill('SIGINT');
  expect(await proc.exited).toBe(0);
});
