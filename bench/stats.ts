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

/**
 * Times two paths in alternating rounds, so neither profits from running later in a warmer
 * process (JIT, connection state, heap): the floor is measured beside every path.
 */
export async function timeInterleaved(
  count: number,
  warmup: number,
  floor: () => Promise<unknown>,
  path: () => Promise<unknown>,
  rounds = 20,
): Promise<{ floor: number[]; path: Timing }> {
  for (let i = 0; i < warmup; i++) {
    await floor();
    await path();
  }
  const floorSamples: number[] = [];
  const pathSamples: number[] = [];
  const perRound = Math.ceil(count / rounds);
  for (let r = 0; r < rounds; r++) {
    for (const [run, samples] of [[floor, floorSamples], [path, pathSamples]] as const) {
      for (let i = 0; i < perRound; i++) {
        const start = performance.now();
        await run();
        samples.push(performance.now() - start);
      }
    }
  }
  return { floor: floorSamples, path: { medianMs: round(median(pathSamples)), p99Ms: round(percentile(pathSamples, 99)) } };
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
