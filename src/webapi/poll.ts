/**
 * When to poll `GET /ctrl/call/{tid}`. Pure logic: times are ms since the meter accepted the
 * call, passed in by the caller.
 *
 * How it works. The first poll is always immediate: most calls are done by then. For each
 * device+method we remember a bracket (lo, hi]: at `lo` a recent call was still pending, at
 * `hi` one was done. The next call aims its second poll at the middle of the bracket while
 * the bracket is wide, at `hi` once it is narrow; a miss at the middle is followed by a poll
 * at `hi`. Every call narrows the bracket (intersection), so after a few calls the result is
 * fetched just after it is ready with two or three polls. A call that learnt nothing about
 * the low side lets `lo` sink, so a device that became faster is noticed within a few calls.
 * Past `hi` (the device was slower this time) polls back off from a small step, a share of
 * `hi`; with no history they back off geometrically: each gap is a fixed fraction of the
 * time already waited, plus a few ms, capped.
 */

export interface PollTuning {
  /** Gap after a pending poll = elapsed × (factor − 1) + minGapMs, at most maxGapMs. */
  factor: number;
  minGapMs: number;
  maxGapMs: number;
  /** A bracket narrower than this share of `hi` (or minGapMs) is aimed at directly. */
  narrowShare: number;
  /** How far `lo` sinks, as a share of `hi`, after a call that saw no pending poll but the first. */
  decayShare: number;
  /** Device+method pairs remembered; the least recently used is forgotten first. */
  historyLimit: number;
}

export const DEFAULT_POLL_TUNING: PollTuning = {
  factor: 1.5,
  minGapMs: 2,
  maxGapMs: 400,
  narrowShare: 0.1,
  decayShare: 0.25,
  historyLimit: 256,
};

/** At `lo` the result was still pending, at `hi` it was ready. */
export interface Bracket {
  lo: number;
  hi: number;
}

export class PollPlanner {
  private readonly history = new Map<string, Bracket>();
  readonly tuning: PollTuning;

  constructor(tuning: Partial<PollTuning> = {}) {
    this.tuning = { ...DEFAULT_POLL_TUNING, ...tuning };
  }

  /** Starts the schedule of one call; `key` names the device and method. */
  begin(key: string): PollRun {
    return new PollRun(this, key, this.history.get(key));
  }

  /** What is remembered for `key` (for inspection and tests). */
  bracket(key: string): Bracket | undefined {
    const known = this.history.get(key);
    return known === undefined ? undefined : { ...known };
  }

  /** Folds the bracket one call observed into what is remembered. */
  learn(key: string, seen: Bracket): void {
    const known = this.history.get(key);
    this.history.delete(key);
    const merged = known === undefined ? seen : this.merge(known, seen);
    if (merged !== undefined) this.history.set(key, merged);
    if (this.history.size > this.tuning.historyLimit) {
      const oldest = this.history.keys().next().value;
      if (oldest !== undefined) this.history.delete(oldest);
    }
  }

  /** Gap that geometric back-off leaves after a pending poll at `elapsed`. */
  backoffGap(elapsed: number): number {
    const { factor, minGapMs, maxGapMs } = this.tuning;
    return Math.min(maxGapMs, elapsed * (factor - 1) + minGapMs);
  }

  private merge(known: Bracket, seen: Bracket): Bracket | undefined {
    const sunkLo = seen.lo > 0 ? known.lo : Math.max(0, known.lo - known.hi * this.tuning.decayShare);
    const lo = Math.max(sunkLo, seen.lo);
    const hi = Math.min(known.hi, seen.hi);
    if (lo <= hi) return { lo, hi };
    // The device's latency changed. A bracket found by back-off is tight enough to keep (twice
    // the gap allows for round trips longer than the gap); a loose one, found by aiming far
    // too late, is dropped so the next call backs off afresh.
    return seen.hi - seen.lo <= 2 * this.backoffGap(seen.lo) ? seen : undefined;
  }
}

export class PollRun {
  private polls = 0;
  private lastPendingAt = 0;
  private pendingPastAims = 0;
  private readonly aims: number[];
  /** First gap after the aims missed: a share of the known latency, not of the time waited. */
  private readonly fineStep: number | undefined;

  constructor(
    private readonly planner: PollPlanner,
    private readonly key: string,
    known: Bracket | undefined,
  ) {
    const { tuning } = planner;
    this.aims = known === undefined ? [] : aimsFor(known, tuning);
    this.fineStep = known === undefined || known.hi <= 0 ? undefined : Math.max(tuning.minGapMs, known.hi * tuning.narrowShare);
  }

  /** Polls recorded so far. */
  get count(): number {
    return this.polls;
  }

  /** Elapsed time at which to send the next poll. */
  nextPollAt(): number {
    if (this.polls === 0) return 0;
    const last = this.lastPendingAt;
    const aim = this.aims.find((at) => at > last);
    if (aim !== undefined) return aim;
    const backoff = this.planner.backoffGap(last);
    if (this.fineStep === undefined) return last + backoff;
    const fine = this.fineStep * this.planner.tuning.factor ** Math.max(0, this.pendingPastAims - 1);
    return last + Math.min(backoff, fine);
  }

  /** Records a poll sent at `sentAt` and whether the result was ready. */
  record(sentAt: number, ready: boolean): void {
    this.polls++;
    if (!ready) {
      this.lastPendingAt = Math.max(this.lastPendingAt, sentAt);
      if (this.aims.every((at) => at <= sentAt) && this.polls > 1) this.pendingPastAims++;
      return;
    }
    // Ready at the very first poll: nothing was learnt about the lower end.
    const lo = this.polls === 1 ? 0 : this.lastPendingAt;
    this.planner.learn(this.key, { lo, hi: Math.max(lo, sentAt) });
  }
}

function aimsFor(known: Bracket, tuning: PollTuning): number[] {
  const narrow = known.hi - known.lo <= Math.max(tuning.minGapMs, known.hi * tuning.narrowShare);
  const aims = narrow ? [known.hi] : [(known.lo + known.hi) / 2, known.hi];
  return aims.filter((at) => at > 0);
}
