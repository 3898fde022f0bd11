/**
 * Every deadline of one client on a single timer. Calls finish long before their limits, so
 * adding and removing a deadline must cost no timer: the timer is armed for the earliest
 * deadline and left alone when that one goes away; when it fires it expires what is due and
 * arms itself for the earliest one left, if any.
 */

/** Something with a time limit; `expire` runs once when `deadline` (performance.now() ms) passes. */
export interface Expiring {
  deadline: number;
  /** Set while the entry waits in a Deadlines; only Deadlines changes it. */
  armed?: boolean;
  expire(): void;
}

/** A timer may fire up to a millisecond before performance.now() reaches its deadline. */
const EARLY_MS = 1;
/** Entries removed are dropped from the list in one pass once they outnumber the rest. */
const COMPACT_AT = 64;

export class Deadlines {
  /**
   * A plain list with a flag per entry: removing is clearing the flag, with no hashing, and the
   * removed ones are swept out in bulk. A Set cost a call about a microsecond.
   */
  private entries: Expiring[] = [];
  private live = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  add(entry: Expiring): void {
    if (entry.armed === true) return;
    entry.armed = true;
    this.entries.push(entry);
    this.live++;
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  /** Call after changing `entry.deadline`; a later deadline costs nothing now. */
  moved(entry: Expiring): void {
    if (entry.armed === true && entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  remove(entry: Expiring): void {
    if (entry.armed !== true) return;
    entry.armed = false;
    this.live--;
    if (this.entries.length > COMPACT_AT && this.entries.length > 2 * this.live) {
      this.entries = this.entries.filter((waiting) => waiting.armed === true);
    }
  }

  /** Forgets every deadline and stops the timer (the owner is closing). */
  stop(): void {
    for (const entry of this.entries) entry.armed = false;
    this.entries = [];
    this.live = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  /** Deadlines waiting (for inspection and tests). */
  get size(): number {
    return this.live;
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = at;
    this.timer = setTimeout(this.fire, Math.max(1, at - performance.now()));
    // Whatever a deadline bounds (a socket, a poll's wait) keeps the process alive by itself.
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
    const due: Expiring[] = [];
    const kept: Expiring[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.entries) {
      if (entry.armed !== true) continue;
      if (entry.deadline - now <= EARLY_MS) {
        entry.armed = false;
        this.live--;
        due.push(entry);
      } else {
        kept.push(entry);
        if (entry.deadline < next) next = entry.deadline;
      }
    }
    this.entries = kept;
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const entry of due) entry.expire();
  };
}
