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
const child = spawn(bun, ['run', main, ...process.argv.slice(2)], { stdio: 'inherit' });
// Signals sent to this process alone (a service manager's SIGTERM) reach the server too.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
