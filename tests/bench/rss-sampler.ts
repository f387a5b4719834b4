// Peak anonymous and file-mapped resident memory of this process, sampled from a worker thread so
// that the samples keep coming while the main thread runs a query. The kernel keeps only the peak
// of their sum (VmHWM); the split tells heap and caches (anonymous) from LMDB's mapped pages, which
// are page cache the kernel can drop at any time.

/** A running sampler; `stop()` ends it and returns the peaks in MiB. */
export interface RssSampler {
  stop(): Promise<{ anonMb: number; fileMb: number }>;
}

export function startRssSampler(intervalMs = 20): RssSampler {
  const worker = new Worker(new URL('./rss-sampler-worker.ts', import.meta.url).href);
  worker.postMessage({ intervalMs });
  return {
    stop: () =>
      new Promise((resolve) => {
        worker.onmessage = (e: MessageEvent<{ anonKb: number; fileKb: number }>) => {
          worker.terminate();
          resolve({ anonMb: Math.round(e.data.anonKb / 1024), fileMb: Math.round(e.data.fileKb / 1024) });
        };
        worker.postMessage('stop');
      }),
  };
}
