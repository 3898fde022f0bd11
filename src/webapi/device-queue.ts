/**
 * One lane per device: jobs for the same device run one at a time in submission order (a
 * relay must never see two commands race), jobs for different devices run in parallel.
 * Waiting is bounded; a full lane refuses at once instead of dropping anything silently.
 */
import { Deadlines, type Expiring } from './deadlines';

/**
 * The lane of a device. A serial number names one module wherever it is plugged in, so every
 * selection with an `sn` (alone, or pinned to a `path`) shares that module's lane; other
 * selections are keyed by their attrs, sorted at every level.
 */
export function deviceKey(attrs: object): string {
  const sn: unknown = Reflect.get(attrs, 'sn');
  if (typeof sn === 'string') return JSON.stringify({ sn });
  const names = Object.keys(attrs);
  if (names.length === 1 && typeof Reflect.get(attrs, names[0] ?? '') === 'string') return JSON.stringify(attrs);
  return JSON.stringify(attrs, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const sorted: Record<string, unknown> = {};
    for (const name of Object.keys(value).sort()) sorted[name] = Reflect.get(value, name);
    return sorted;
  });
}

/** The errors the queue gives to jobs it refuses or removes; the owner words them. */
export interface QueueRefusals {
  full(key: string, limit: number): Error;
  aborted(key: string): Error;
  waitTimeout(key: string, waitedMs: number): Error;
}

export interface EnqueueOptions<Tag> {
  /** Removes the job while it waits; a running job watches the signal itself. */
  signal?: AbortSignal;
  /** Longest wait for the lane before the job is refused. */
  maxWaitMs?: number;
  /** What the job is, for `waiting` and for the error that removes it on close (e.g. the method). */
  tag: Tag;
}

interface WaitingJob<Tag> {
  tag: Tag;
  start(): void;
  fail(error: Error): void;
}

interface Lane<Tag> {
  running: boolean;
  waiting: WaitingJob<Tag>[];
}

export class DeviceQueue<Tag = unknown> {
  private readonly lanes = new Map<string, Lane<Tag>>();

  constructor(
    private readonly limit: number,
    private readonly refusals: QueueRefusals,
    /** Where the waits' limits go: one timer for all of them, not one per waiting job. */
    private readonly deadlines: Deadlines = new Deadlines(),
  ) {}

  runInTurn<T>(key: string, job: () => Promise<T>, options: EnqueueOptions<Tag>): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(this.refusals.aborted(key));
    let lane = this.lanes.get(key);
    if (lane === undefined) {
      lane = { running: false, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (!lane.running) {
      lane.running = true;
      return this.execute(key, job);
    }
    if (lane.waiting.length >= this.limit) return Promise.reject(this.refusals.full(key, this.limit));
    return this.wait(key, lane, job, options);
  }

  /** Tags of the jobs still waiting for `key`, oldest first. */
  waiting(key: string): Tag[] {
    return (this.lanes.get(key)?.waiting ?? []).map((entry) => entry.tag);
  }

  /** Jobs waiting in all lanes. */
  get waitingCount(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.waiting.length;
    return count;
  }

  /** Rejects every waiting job (used on close); running jobs end through their own signals. */
  rejectWaiting(reason: (key: string, tag: Tag) => Error): void {
    for (const [key, lane] of this.lanes) {
      const removed = lane.waiting;
      lane.waiting = [];
      for (const entry of removed) entry.fail(reason(key, entry.tag));
    }
  }

  private execute<T>(key: string, job: () => Promise<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = job();
    } catch (error) {
      running = Promise.reject(error);
    }
    // The lane is released whatever the job's outcome; the outcome itself goes to the caller.
    running.then(
      () => this.release(key),
      () => this.release(key),
    );
    return running;
  }

  private release(key: string): void {
    const lane = this.lanes.get(key);
    if (lane === undefined) return;
    const next = lane.waiting.shift();
    if (next === undefined) {
      this.lanes.delete(key);
      return;
    }
    next.start();
  }

  private wait<T>(key: string, lane: Lane<Tag>, job: () => Promise<T>, options: EnqueueOptions<Tag>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waitedSince = Date.now();
      let limit: Expiring | undefined;
      const leave = (error: Error): void => {
        lane.waiting = lane.waiting.filter((waiting) => waiting !== entry);
        entry.fail(error);
      };
      const onAbort = (): void => leave(this.refusals.aborted(key));
      const cleanUp = (): void => {
        if (limit !== undefined) this.deadlines.remove(limit);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const entry: WaitingJob<Tag> = {
        tag: options.tag,
        start: () => {
          cleanUp();
          this.execute(key, job).then(resolve, reject);
        },
        fail: (error) => {
          cleanUp();
          reject(error);
        },
      };
      lane.waiting.push(entry);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.maxWaitMs !== undefined) {
        limit = {
          deadline: performance.now() + options.maxWaitMs,
          armed: false,
          expire: () => leave(this.refusals.waitTimeout(key, Date.now() - waitedSince)),
        };
        this.deadlines.add(limit);
      }
    });
  }
}
