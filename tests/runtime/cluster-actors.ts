// Actors the cluster test's nodes host: a Counter that also counts its live activations in etcd under the node's lease.
//
// Independent of the directory's claims: on activation it creates `/audit/live/<type>/<key>` with a
// transaction that succeeds only if no live activation holds it (the count goes 0 → 1), attached
// to the hosting node's own lease (read from the node's registration), and removes it on
// deactivation. A second live activation anywhere finds the key and records a violation; a
// SIGKILLed node's entries vanish with its lease, exactly when its claims do.
import { Etcd3 } from 'etcd3';
import { Actor } from '../../runtime/index.ts';

const etcd = new Etcd3({ hosts: process.env['ORBIT_ETCD']! });
const nodeId = process.env['ORBIT_NODE_ID']!;
let nodeLease: Promise<string> | undefined;

function lease(): Promise<string> {
  nodeLease ??= etcd
    .get(`/orbit/nodes/${nodeId}`)
    .exec()
    .then((r) => r.kvs[0]!.lease);
  return nodeLease;
}

export class Counter extends Actor<{ value: number }> {
  static readonly type = 'Counter';
  static readonly options = { autoSave: true };
  override state = { value: 0 };

  private get auditKey(): string {
    return `/audit/live/Counter/${String(this.key)}`;
  }

  override async onActivate(): Promise<void> {
    const k = this.auditKey;
    const r = await etcd
      .if(k, 'Create', '==', 0)
      .then(etcd.put(k).value(nodeId).lease(await lease()))
      .else(etcd.get(k))
      .commit();
    if (!r.succeeded) {
      const holder = r.responses[0]?.response_range?.kvs[0]?.value.toString() ?? '?';
      await etcd.put(`/audit/violations/Counter/${String(this.key)}/${nodeId}`).value(holder);
    }
  }

  override async onDeactivate(): Promise<void> {
    const k = this.auditKey;
    await etcd.if(k, 'Value', '==', nodeId).then(etcd.delete().key(k)).commit();
  }

  async increment(by = 1): Promise<number> {
    this.state.value += by;
    return this.state.value;
  }

  async get(): Promise<number> {
    return this.state.value;
  }

  /** Answers after `ms`: keeps a call in flight while the test kills the node hosting it. */
  async getSlowly(ms: number): Promise<number> {
    await Bun.sleep(ms);
    return this.state.value;
  }
}
