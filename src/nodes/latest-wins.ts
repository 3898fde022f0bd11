/**
 * "Latest wins" for dashboards: at most one command runs and at most one waits. A newer
 * command replaces the waiting one; the replaced messages complete together with the command
 * that replaced them (same result, flagged superseded), so every message still gets exactly
 * one outcome and commands never run out of order.
 */
interface Waiter<T> {
  resolve(value: { result: T; superseded: boolean }): void;
  reject(error: unknown): void;
  superseded: boolean;
}

export class LatestWins<T> {
  private running = false;
  private next: { job: () => Promise<T>; waiters: Waiter<T>[] } | null = null;

  submit(job: () => Promise<T>): Promise<{ result: T; superseded: boolean }> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, superseded: false };
      if (!this.running) {
        this.start(job, [waiter]);
        return;
      }
      if (this.next) {
        for (const w of this.next.waiters) w.superseded = true;
        this.next = { job, waiters: [...this.next.waiters, waiter] };
      } else {
        this.next = { job, waiters: [waiter] };
      }
    });
  }

  private start(job: () => Promise<T>, waiters: Waiter<T>[]): void {
    this.running = true;
    job().then(
      (result) => {
        for (const w of waiters) w.resolve({ result, superseded: w.superseded });
      },
      (error: unknown) => {
        for (const w of waiters) w.reject(error);
      },
    ).finally(() => {
      this.running = false;
      const next = this.next;
      this.next = null;
      if (next) this.start(next.job, next.waiters);
    });
  }
}
