// Test helper: a throwaway single-member etcd (Debian's etcd-server) on free loopback ports in a temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subprocess } from 'bun';

export interface EtcdProcess {
  /** Client URL, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/health`);
    return r.ok && ((await r.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

/** Starts etcd and resolves once it reports healthy; retries with other ports if one was taken meanwhile. */
export async function startEtcd(): Promise<EtcdProcess> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-etcd-'));
    const [client, peer] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${client}`;
    const peerUrl = `http://127.0.0.1:${peer}`;
    const proc: Subprocess = Bun.spawn(
      [
        'etcd',
        '--name', 'default',
        '--data-dir', join(dir, 'data'),
        '--listen-client-urls', url,
        '--advertise-client-urls', url,
        '--listen-peer-urls', peerUrl,
        '--initial-advertise-peer-urls', peerUrl,
        '--initial-cluster', `default=${peerUrl}`,
        '--log-level', 'error',
      ],
      { stdout: 'ignore', stderr: 'ignore' },
    );
    const stop = async (): Promise<void> => {
      proc.kill('SIGKILL');
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && proc.exitCode === null) {
      if (await healthy(url)) return { url, stop };
      await Bun.sleep(100);
    }
    await stop();
    if (attempt >= 2) throw new Error('etcd did not start (is the etcd-server package installed?)');
  }
}
