// Child process for the actor durability test: increments a counter forever, printing each acknowledged value and journal length.
import { Actor, ActorRuntime } from '../../runtime/index.ts';

class Counter extends Actor<{ value: number }> {
  static readonly type = 'Counter';
  static readonly options = { autoSave: true };
  override state = { value: 0 };

  increment(by: number): number {
    this.state.value += by;
    return this.state.value;
  }
}

class Journal extends Actor<{ lines: string[] }> {
  static readonly type = 'Journal';
  override state = { lines: [] as string[] };

  async append(line: string): Promise<number> {
    this.state.lines.push(line);
    await this.save();
    return this.state.lines.length;
  }
}

const runtime = ActorRuntime.open({ dataDir: process.argv[2]! });
const counter = runtime.actorOf(Counter, 'c');
const journal = runtime.actorOf(Journal, 'j');
for (let i = 0; ; i++) {
  const [value, lines] = await Promise.all([counter.increment(1), journal.append(`r${process.argv[3]} ${i}`)]);
  process.stdout.write(`${value} ${lines}\n`);
}
