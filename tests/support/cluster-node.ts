// Starts `orbit server` as one node of an actor cluster on etcd, for the multi-process cluster tests.
import { join, resolve } from 'node:path';
import type { Subprocess } from 'bun';

const root = resolve(import.meta.dir, '../..');
const main = join(root, 'runtime/cli/main.ts');

export interface NodeOptions {
  readonly id: string;
  /** The node's data directory is `<dir>/<id>`. */
  readonly dir: string;
  readonly etcd: string;
  /** Module exporting the actor classes the node hosts. */
  readonly actors: string;
  /** Seconds. */
  readonly leaseTtl: number;
  /** Also listen for Redis (ephemeral port). */
  readonly resp?: boolean;
  /** Also listen for PostgreSQL (ephemeral port). */
  readonly pg?: boolean;
  /** Where the node's stderr goes (default `<dir>/<id>.log`). */
  readonly log?: string;
}

export interface SpawnedNode {
  readonly proc: Subprocess;
  readonly grpcPort: number;
  /** Set when `resp` was asked for. */
  readonly respPort: number | undefined;
  /** Set when `pg` was asked for. */
  readonly pgPort: number | undefined;
}

/** Spawns the node (gRPC on an ephemeral port; http off, pg and resp unless asked for) and resolves once its listeners are up. */
export async function spawnNode(o: NodeOptions): Promise<SpawnedNode> {
  const log = o.log ?? join(o.dir, `${o.id}.log`);
  const proc = Bun.spawn([process.execPath, 'run', main, 'server', '--data', join(o.dir, o.id), '--pg-port', o.pg ? '0' : 'off', '--http-port', 'off', '--resp-port', o.resp ? '0' : 'off'], {
    cwd: root,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: Bun.file(log),
    env: { ...process.env, ORBIT_ACTORS: o.actors, ORBIT_ETCD: o.etcd, ORBIT_NODE_ID: o.id, ORBIT_LEASE_TTL: String(o.leaseTtl), ORBIT_GRPC_PORT: '0' },
  });
  const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
  let out = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`node ${o.id} exited before listening: ${out}${await Bun.file(log).text()}`);
    out += new TextDecoder().decode(value);
    const g = /grpc listening on [^:\s]+:(\d+)/.exec(out);
    const r = /resp listening on [^:\s]+:(\d+)/.exec(out);
    const p = /pg listening on [^:\s]+:(\d+)/.exec(out);
    if (g && (r || !o.resp) && (p || !o.pg)) {
      reader.releaseLock();
      return { proc, grpcPort: Number(g[1]), respPort: r ? Number(r[1]) : undefined, pgPort: p ? Number(p[1]) : undefined };
    }
  }
}

/** A spawned node as the cluster tests keep it: its id, process and gRPC client. */
export interface RunningNode {
  readonly id: string;
  readonly proc: Subprocess;
  readonly grpc: { nodes(): Promise<readonly unknown[]>; close(): void };
}

/** Waits (at most 15 s each) until every view of the cluster (a node, or a client of one) lists `count` members. */
export async function membersSeen(views: readonly { nodes(): Promise<readonly unknown[]> }[], count: number): Promise<void> {
  for (const v of views) {
    const end = Date.now() + 15_000;
    while ((await v.nodes()).length < count && Date.now() < end) await Bun.sleep(50);
  }
}

/** Stops the nodes (SIGTERM, SIGKILL after 10 s) and prints the stderr log of any node that wrote one to `dir`. */
export async function stopNodes(nodes: readonly RunningNode[], dir: string): Promise<void> {
  for (const n of nodes) {
    n.grpc.close();
    if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGTERM');
  }
  await Promise.all(nodes.map((n) => Promise.race([n.proc.exited, Bun.sleep(10_000).then(() => n.proc.kill('SIGKILL'))])));
  for (const n of nodes) {
    const log = await Bun.file(join(dir, `${n.id}.log`)).text();
    if (log.trim()) console.error(`node ${n.id}:\n${log}`);
  }
}
