// A runnable tour of the actor runtime: a persistent Greeter, a Counter with auto-save, and a stateless worker.
//
//   bun examples/greeter.ts [data directory]      (default: a fresh temporary directory)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actor, ActorRuntime } from '../runtime/index.ts';
import { Counter, Greeter } from './actors.ts';

// Greeter (state saved explicitly) and Counter (saved after every method) are the classes
// `orbit server --actors examples/actors.ts` serves.

/** Keyless and stateless: calls spread over up to four activations. */
class Shouter extends Actor {
  static readonly type = 'Shouter';
  static readonly options = { statelessWorker: true, maxWorkers: 4 };

  async shout(text: string): Promise<string> {
    return text.toUpperCase();
  }
}

const dataDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'orbit-greeter-'));
const runtime = ActorRuntime.open({ dataDir, idleMs: 60_000 });

const alice = runtime.actorOf(Greeter, 'alice');
console.log(await alice.greet('bob'));
console.log(await alice.greet('carol'));
const counter = runtime.actorOf(Counter, 42);
await Promise.all([counter.increment(), counter.increment(2), counter.increment(3)]);
console.log('counter 42 =', await counter.increment(0));
console.log(await runtime.actorOf(Shouter).shout('stateless workers need no key'));
await runtime.close();

// A second runtime over the same directory finds the saved state.
const again = ActorRuntime.open({ dataDir });
console.log('alice greeted:', await again.actorOf(Greeter, 'alice').greeted());
console.log('counter 42 after reopening =', await again.actorOf(Counter, 42).increment(0));
await again.close();
