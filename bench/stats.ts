/** Summary statistics for latency samples, in milliseconds. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export interface Timing {
  medianMs: number;
  p99Ms: number;
}

/** Runs `once` sequentially `count` times after `warmup` runs and summarises the latencies. */
export async function timeSequential(count: number, warmup: number, once: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await once();
    samples.push(performance.now() - start);
  }
  return { medianMs: round(median(samples)), p99Ms: round(percentile(samples, 99)) };
}

/** Calls per second with `concurrency` callers looping for `durationMs`. */
export async function throughput(concurrency: number, durationMs: number, once: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await once();
        done++;
      }
    }),
  );
  return round((done * 1000) / (performance.now() - start), 1);
}
