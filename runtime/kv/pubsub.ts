// Publish/subscribe: channel and glob-pattern subscriptions across every connection of the process.
import { globMatch } from './glob.ts';

/** A connection that receives messages. */
export interface Subscriber {
  message(channel: string, message: string): void;
  pmessage(pattern: string, channel: string, message: string): void;
}

export class PubSub {
  readonly channels = new Map<string, Set<Subscriber>>();
  readonly patterns = new Map<string, Set<Subscriber>>();

  /** Returns whether the subscription is new. */
  subscribe(s: Subscriber, channel: string): boolean {
    return add(this.channels, channel, s);
  }

  unsubscribe(s: Subscriber, channel: string): boolean {
    return remove(this.channels, channel, s);
  }

  psubscribe(s: Subscriber, pattern: string): boolean {
    return add(this.patterns, pattern, s);
  }

  punsubscribe(s: Subscriber, pattern: string): boolean {
    return remove(this.patterns, pattern, s);
  }

  /** Delivers to channel subscribers, then pattern subscribers; returns how many received it. */
  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs) for (const s of subs) (s.message(channel, message), n++);
    for (const [pattern, set] of this.patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const s of set) (s.pmessage(pattern, channel, message), n++);
    }
    return n;
  }
}

function add(m: Map<string, Set<Subscriber>>, k: string, s: Subscriber): boolean {
  let set = m.get(k);
  if (!set) m.set(k, (set = new Set()));
  if (set.has(s)) return false;
  set.add(s);
  return true;
}

function remove(m: Map<string, Set<Subscriber>>, k: string, s: Subscriber): boolean {
  const set = m.get(k);
  if (!set?.delete(s)) return false;
  if (set.size === 0) m.delete(k);
  return true;
}
