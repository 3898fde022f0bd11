/** Summary statistics for latency samples, in milliseconds, and the pairing of paths with their floor. */
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

/**
 * The median of per-round ratios: round r of `path` divided by round r of `base`. Pairing round
 * by round cancels the machine's drift over a run (CPU clock, other load, heap state), which a
 * ratio of two overall medians does not.
 */
export function pairedRatio(path: readonly number[], base: readonly number[]): number {
  if (path.length !== base.length)
    throw new RangeError(`paired rounds differ in number: ${path.length} and ${base.length}`);
  const ratios: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const p = path[i] ?? Number.NaN;
    const b = base[i] ?? Number.NaN;
    if (Number.isFinite(p) && Number.isFinite(b) && b > 0) ratios.push(p / b);
  }
  return median(ratios);
}

/** One path's figures over a set of rounds: per-round medians (and CPU per call), all samples. */
export class RoundSeries {
  /** Median wall time of each round, ms. */
  readonly roundMedians: number[] = [];
  /** CPU time of this process per call in each round, ms. */
  readonly roundCpu: number[] = [];
  readonly samples: number[] = [];

  addRound(samples: readonly number[], cpuMs: number): void {
    this.roundMedians.push(median(samples));
    this.roundCpu.push(cpuMs / Math.max(1, samples.length));
    for (const s of samples) this.samples.push(s);
  }

  get medianMs(): number {
    return median(this.samples);
  }

  get p99Ms(): number {
    return percentile(this.samples, 99);
  }

  get cpuPerCallMs(): number {
    return median(this.roundCpu);
  }
}

/** Milliseconds of CPU (user + system) this process used since `start`. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Runs `rounds` rounds; in each, every path runs once in turn (the order rotates from round to
 * round so no path always follows the same neighbour). `runRound` times one path's round.
 */
export async function alternate<K extends string>(
  keys: readonly K[],
  rounds: number,
  runRound: (key: K, round: number) => Promise<void>,
): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[(i + r) % keys.length];
      if (key !== undefined) await runRound(key, r);
    }
  }
}

/** Calls per second with `concurrency` callers looping until `durationMs` has passed. */
export async function throughput(
  concurrency: number,
  durationMs: number,
  once: (caller: number) => Promise<unknown>,
): Promise<number> {
  let done = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      while (performance.now() < end) {
        await once(caller);
        if (performance.now() <= end) done++;
      }
    }),
  );
  return (done * 1000) / durationMs;
}
