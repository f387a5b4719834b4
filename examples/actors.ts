// Actor classes for `orbit server --actors examples/actors.ts`: a persistent Counter and a Greeter.
//
//   orbit server --actors examples/actors.ts --grpc-port 50051
//   orbit actor call Counter c1 increment 5 --node 127.0.0.1:50051     → 5
//   orbit actor call Greeter alice greet '"bob"' --node 127.0.0.1:50051
import { Actor } from '../runtime/index.ts';

/** A counter whose value is saved after every method that returns normally. */
export class Counter extends Actor<{ value: number }> {
  static readonly type = 'Counter';
  static readonly options = { autoSave: true };
  override state = { value: 0 };

  /** Adds `by` (default 1) and returns the new value. */
  async increment(by = 1): Promise<number> {
    if (typeof by !== 'number' || !Number.isFinite(by)) throw new TypeError(`increment expects a finite number, got ${JSON.stringify(by)}`);
    this.state.value += by;
    return this.state.value;
  }

  async get(): Promise<number> {
    return this.state.value;
  }
}

/** Remembers whom it greeted; saves explicitly. */
export class Greeter extends Actor<{ greeted: string[] }> {
  static readonly type = 'Greeter';
  override state = { greeted: [] as string[] };

  async greet(name: string): Promise<string> {
    this.state.greeted.push(name);
    await this.save();
    return `Hello ${name}, from ${String(this.key)} (greeting #${this.state.greeted.length})`;
  }

  async greeted(): Promise<readonly string[]> {
    return this.state.greeted;
  }
}
