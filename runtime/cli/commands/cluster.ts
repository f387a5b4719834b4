// `orbit cluster status|nodes|actors|drain`: asks a node (over gRPC) about the actor cluster.
import { UsageError, type Command } from '../command.ts';
import { grpcTls, grpcTlsOptions } from '../grpc-options.ts';

/** Left-aligned columns separated by two spaces, header first. */
function columns(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Show the actor cluster (status, nodes, actors) or drain a node',
  usage: 'status|nodes|actors|drain [--node host:port] [--type TYPE] [--json] [--ca file [--cert file --key file]]',
  options: {
    node: { type: 'string', description: 'gRPC address of the node to ask (default 127.0.0.1:50051)', valueName: 'host:port' },
    type: { type: 'string', description: 'actors: only this actor type', valueName: 'type' },
    json: { type: 'boolean', description: 'Print JSON instead of columns' },
    ...grpcTlsOptions,
  },
  notes: [
    'status  the node asked: id, health, members, claimed actors',
    'nodes   live members (from etcd): id, address, draining, activations on the node asked',
    'actors  claimed actors across the cluster (from etcd): type, key, node',
    'drain   the node asked stops taking activations and hands its actors off (each activated at once',
    '        on the node placement now picks)',
  ].join('\n'),
  async run(args) {
    const [verb, ...extra] = args.positionals;
    if (!verb || !['status', 'nodes', 'actors', 'drain'].includes(verb)) throw new UsageError(verb ? `unknown subcommand "${verb}"` : 'missing subcommand (status, nodes, actors, drain)');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const json = args.values['json'] === true;
    const tls = await grpcTls(args, process.env);
    const { OrbitClient } = await import('../../cluster/client.ts');
    const client = new OrbitClient((args.values['node'] as string | undefined) ?? '127.0.0.1:50051', 30_000, tls);
    try {
      if (verb === 'status') {
        const [health, nodes, actors] = await Promise.all([client.health(), client.nodes(), client.activations()]);
        const status = { node: health.nodeId, status: health.status, clustered: health.clustered, members: nodes.length, actors: actors.length };
        console.log(json ? JSON.stringify(status) : columns(['node', 'status', 'clustered', 'members', 'actors'], [[status.node, status.status, String(status.clustered), String(status.members), String(status.actors)]]));
      } else if (verb === 'nodes') {
        const nodes = await client.nodes();
        if (json) console.log(JSON.stringify(nodes));
        else console.log(columns(['id', 'address', 'draining', 'activations'], nodes.map((n) => [n.self ? `${n.id} *` : n.id, n.address, String(n.draining), n.self ? String(n.activations) : '-'])));
      } else if (verb === 'actors') {
        const actors = await client.activations((args.values['type'] as string | undefined) ?? '');
        if (json) console.log(JSON.stringify(actors));
        else console.log(columns(['type', 'key', 'node'], actors.map((a) => [a.type, JSON.stringify(a.key), a.node])));
      } else {
        const r = await client.drain();
        console.log(json ? JSON.stringify(r) : `drained: ${r.deactivated} activations deactivated, ${r.handedOff} handed off to other nodes`);
      }
      return 0;
    } catch (e) {
      console.error(`orbit cluster: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    } finally {
      client.close();
    }
  },
};
