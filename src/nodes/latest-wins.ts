/**
 * "Latest wins" for dashboards: at most one command runs and at most one waits. A newer
 * command replaces the waiting one, which ends at once without running: nothing is held for
 * it, so a flood during a long call keeps memory bounded. Commands never run out of order.
 */
export type LatestOutcome<T> =
  /** The job ran; `replaced` waiting jobs were dropped in its favour. */
  | { kind: 'ran'; result: T; replaced: number }
  /** A newer job took this one's place before it could run. */
  | { kind: 'replaced' };

interface Waiting<T> {
  job: () => Promise<T>;
  resolve: (outcome: LatestOutcome<T>) => void;
  reject: (error: unknown) => void;
  replaced: number;
}

export class LatestWins<T> {
  private running = false;
  private next: Waiting<T> | null = null;

  submit(job: () => Promise<T>): Promise<LatestOutcome<T>> {
    return new Promise((resolve, reject) => {
      const waiting: Waiting<T> = { job, resolve, reject, replaced: 0 };
      if (!this.running) {
        this.start(waiting);
        return;
      }
      const dropped = this.next;
      if (dropped !== null) {
        waiting.replaced = dropped.replaced + 1;
        dropped.resolve({ kind: 'replaced' });
      }
      this.next = waiting;
    });
  }

  private start(waiting: Waiting<T>): void {
    this.running = true;
    const { replaced, resolve } = waiting;
    waiting
      .job()
      .then(
        (result) => resolve({ kind: 'ran', result, replaced }),
        (error: unknown) => waiting.reject(error),
      )
      .finally(() => {
        this.running = false;
        const next = this.next;
        this.next = null;
        if (next) this.start(next);
      });
  }
}
