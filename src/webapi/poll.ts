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
 *
 * A device seen still pending at `lo` in two calls in a row gets no immediate poll (one such call
 * may have been a stall): its first poll is aimed, so a call whose latency is known costs one
 * poll. Such a poll learns nothing about the low side;
 * `lo` is let sink only once `recheckMs` has passed since the low side was last seen, which
 * keeps noticing a device that became faster. A device+method never called borrows what is
 * known for the same device (another method) or the same method (another device of the same
 * kind on the meter), but still polls at once first, in case it is faster.
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
  /** How long a known low side is trusted before an aimed poll lets it sink again. */
  recheckMs: number;
}

export const DEFAULT_POLL_TUNING: PollTuning = {
  factor: 1.5,
  minGapMs: 2,
  maxGapMs: 400,
  narrowShare: 0.1,
  decayShare: 0.25,
  historyLimit: 256,
  recheckMs: 60_000,
};

/** At `lo` the result was still pending, at `hi` it was ready. */
export interface Bracket {
  lo: number;
  hi: number;
}

/** What is remembered per device+method: the bracket and when its low side was last seen. */
interface Known extends Bracket {
  lowSeenAt: number;
  /** Calls in a row that found the result still pending: one alone may be a stall. */
  pendingRuns: number;
}

/** Calls in a row that must find a device still pending before its first poll is aimed. */
const PENDING_RUNS_TO_AIM = 2;

export class PollPlanner {
  private readonly history = new Map<string, Known>();
  /** The key last learnt per device and per method, to borrow from. */
  private readonly lastByDevice = new Map<string, string>();
  private readonly lastByMethod = new Map<string, string>();
  /** The key remembered last: learning it again needs no reordering. */
  private newest: string | undefined;
  readonly tuning: PollTuning;
  private readonly clock: () => number;

  constructor(tuning: Partial<PollTuning> = {}, clock: () => number = () => performance.now()) {
    this.tuning = { ...DEFAULT_POLL_TUNING, ...tuning };
    this.clock = clock;
  }

  /**
   * Starts the schedule of one call; `key` names the device and method. With `device` and
   * `method` given, a key never seen borrows what is known for either.
   */
  begin(key: string, device?: string, method?: string): PollRun {
    const own = this.history.get(key);
    // One slow call (a stall on either side) must not make a fast device wait for a minute.
    if (own !== undefined) return new PollRun(this, key, own, own.lo > 0 && own.pendingRuns >= PENDING_RUNS_TO_AIM);
    const borrowed = this.borrow(device, method);
    if (device !== undefined) this.lastByDevice.set(device, key);
    if (method !== undefined) this.lastByMethod.set(method, key);
    return new PollRun(this, key, borrowed, false);
  }

  /** What is remembered for `key` (for inspection and tests). */
  bracket(key: string): Bracket | undefined {
    const known = this.history.get(key);
    return known === undefined ? undefined : { lo: known.lo, hi: known.hi };
  }

  /**
   * Folds the bracket one call observed into what is remembered. `aimedFirst`: the first poll
   * was aimed and found the result, so the low side was not looked at.
   */
  learn(key: string, seen: Bracket, aimedFirst = false): void {
    const known = this.history.get(key);
    if (known === undefined) {
      this.remember(key, {
        lo: seen.lo,
        hi: seen.hi,
        lowSeenAt: seen.lo > 0 ? this.clock() : 0,
        pendingRuns: seen.lo > 0 ? 1 : 0,
      });
      return;
    }
    if (aimedFirst && this.clock() - known.lowSeenAt < this.tuning.recheckMs) {
      known.hi = Math.max(known.lo, Math.min(known.hi, seen.hi));
      this.remember(key, known);
      return;
    }
    const merged = this.merge(known, seen);
    if (merged === undefined) {
      this.history.delete(key);
      return;
    }
    known.pendingRuns = seen.lo > 0 ? known.pendingRuns + 1 : 0;
    // Updated in place: every call learns, so this runs as often as calls do.
    known.lo = merged.lo;
    known.hi = merged.hi;
    if (seen.lo > 0) known.lowSeenAt = this.clock();
    this.remember(key, known);
  }

  /** Stores `entry` as the most recently used; the least recently used goes beyond the limit. */
  private remember(key: string, entry: Known): void {
    if (this.newest === key && this.history.get(key) === entry) return;
    this.history.delete(key);
    this.history.set(key, entry);
    this.newest = key;
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

  private borrow(device: string | undefined, method: string | undefined): Bracket | undefined {
    for (const [index, name] of [
      [this.lastByDevice, device],
      [this.lastByMethod, method],
    ] as const) {
      if (name === undefined) continue;
      const key = index.get(name);
      const known = key === undefined ? undefined : this.history.get(key);
      if (known !== undefined) return { lo: known.lo, hi: known.hi };
    }
    return undefined;
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
    /** The first poll is aimed rather than sent at once: the device was seen pending before. */
    private readonly aimFirst: boolean,
  ) {
    const { tuning } = planner;
    this.aims = known === undefined ? [] : aimsFor(known, tuning);
    this.fineStep =
      known === undefined || known.hi <= 0 ? undefined : Math.max(tuning.minGapMs, known.hi * tuning.narrowShare);
  }

  /** Polls recorded so far. */
  get count(): number {
    return this.polls;
  }

  /** Elapsed time at which to send the next poll. */
  nextPollAt(): number {
    if (this.polls === 0) return this.aimFirst ? (this.aims[0] ?? 0) : 0;
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
    this.planner.learn(this.key, { lo, hi: Math.max(lo, sentAt) }, this.polls === 1 && this.aimFirst);
  }
}

function aimsFor(known: Bracket, tuning: PollTuning): number[] {
  const narrow = known.hi - known.lo <= Math.max(tuning.minGapMs, known.hi * tuning.narrowShare);
  const aims = narrow ? [known.hi] : [(known.lo + known.hi) / 2, known.hi];
  return aims.filter((at) => at > 0);
}
