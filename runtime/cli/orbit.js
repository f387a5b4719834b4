#!/usr/bin/env node
// The installed `orbit` command: runs the TypeScript CLI under Bun (the npm-installed binary).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, 'main.ts');
let bun = 'bun';
try {
  const require = createRequire(import.meta.url);
  bun = join(dirname(require.resolve('bun/package.json')), 'bin', 'bun.exe');
} catch {
  // Fall back to a bun on PATH.
}
// JavaScriptCore keeps a thread pre-faulting spare heap blocks; under a server's steady allocation it
// faults blocks in and out without pause, 3-4 µs of CPU per pgbench transaction taken from the cores
// the clients need (a prepared point SELECT at 8 clients ran 15% faster without it). Bun reads JSC
// settings from BUN_JSC_* variables at start-up; `npm run server` sets the same. The user's own wins.
const env = { BUN_JSC_useWarmUpMarkedBlocks: '0', ...process.env };
const child = spawn(bun, ['run', main, ...process.argv.slice(2)], { stdio: 'inherit', env });
// Signals sent to this process alone (a service manager's SIGTERM) reach the server too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
