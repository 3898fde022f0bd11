/**
 * Runs one device's jobs one at a time in arrival order, each taking the device's latency.
 * With no latency and nothing queued a job runs at once, so its result exists before the
 * request that submitted it is answered.
 */
export class SerialWorker {
  private readonly queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly latencyMs: () => number) {}

  submit(job: () => void): void {
    if (this.timer === undefined && this.queue.length === 0 && this.latencyMs() <= 0) {
      job();
      return;
    }
    this.queue.push(job);
    if (this.timer === undefined) this.startNext();
  }

  /** Forgets queued jobs and the running timer (the simulator is closing). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private startNext(): void {
    // The latency is read when a job starts, so a change applies to the jobs after it.
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.queue.shift()?.();
        if (this.queue.length > 0) this.startNext();
      },
      Math.max(0, this.latencyMs()),
    );
    // The listening server keeps the process alive; a queued job alone must not.
    this.timer.unref();
  }
}
