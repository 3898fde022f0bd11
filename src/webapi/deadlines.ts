/**
 * Every deadline of one client on a single timer. Calls finish long before their limits, so
 * adding and removing a deadline must cost no timer: the timer is armed for the earliest
 * deadline and left alone when that one goes away; when it fires it expires what is due and
 * arms itself for the earliest one left, if any.
 */

/** Something with a time limit; `expire` runs once when `deadline` (performance.now() ms) passes. */
export interface Expiring {
  deadline: number;
  expire(): void;
}

/** A timer may fire up to a millisecond before performance.now() reaches its deadline. */
const EARLY_MS = 1;

export class Deadlines {
  private readonly pending = new Set<Expiring>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  add(entry: Expiring): void {
    this.pending.add(entry);
    if (entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  /** Call after changing `entry.deadline`; a later deadline costs nothing now. */
  moved(entry: Expiring): void {
    if (this.pending.has(entry) && entry.deadline < this.armedFor) this.arm(entry.deadline);
  }

  remove(entry: Expiring): void {
    this.pending.delete(entry);
  }

  /** Forgets every deadline and stops the timer (the owner is closing). */
  stop(): void {
    this.pending.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  /** Deadlines waiting (for inspection and tests). */
  get size(): number {
    return this.pending.size;
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
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.pending) {
      if (entry.deadline - now <= EARLY_MS) due.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const entry of due) {
      this.pending.delete(entry);
      entry.expire();
    }
  };
}
