// Starts `orbit server` as a child process for protocol tests and reads its first listening line.

import { join } from 'node:path';

const main = join(import.meta.dir, '..', '..', 'runtime', 'cli', 'main.ts');

/** A running server: the process, its first stdout line and the port that line names. */
export interface SpawnedServer {
  readonly proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  /** `orbit: <name> listening on <host>:<port>`, or whatever came first. */
  readonly firstLine: string;
  readonly port: number;
}

/**
 * Runs `orbit server <args>` (choose the ports in `args`) and waits for its first line. The REST
 * listener is off unless `args` asks for it (`--http-port`), so tests never contend for port 8080.
 */
export async function spawnServer(args: readonly string[]): Promise<SpawnedServer> {
  const env = { ...process.env, ORBIT_HTTP_PORT: process.env['ORBIT_HTTP_PORT'] ?? 'off' };
  const proc = Bun.spawn([process.execPath, 'run', main, 'server', ...args], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env });
  const firstLine = await readFirstLine(proc.stdout);
  return { proc, firstLine, port: Number(/:(\d+)$/.exec(firstLine)?.[1]) };
}

/** The first line a process writes to `stdout` (all of it, if it ends without a newline). */
export async function readFirstLine(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stdout.getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return text.split('\n')[0]!;
}
