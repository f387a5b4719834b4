// The sampling side of rss-sampler.ts: reads /proc/self/status (the whole process) on a timer.

import { readFileSync } from 'node:fs';

declare const self: Worker;

let anonKb = 0;
let fileKb = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function sample(): void {
  const status = readFileSync('/proc/self/status', 'utf8');
  const anon = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const file = Number(/RssFile:\s+(\d+)/.exec(status)?.[1] ?? 0);
  if (anon > anonKb) anonKb = anon;
  if (file > fileKb) fileKb = file;
}

self.onmessage = (e: MessageEvent<{ intervalMs: number } | 'stop'>) => {
  if (e.data === 'stop') {
    if (timer !== undefined) clearInterval(timer);
    sample();
    self.postMessage({ anonKb, fileKb });
    return;
  }
  sample();
  timer = setInterval(sample, e.data.intervalMs);
};
