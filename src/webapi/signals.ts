/** Waiting that gives up when a signal fires, without leaving timers or listeners behind. */
import { EventEmitter } from 'node:events';
import { Deadlines, type Expiring } from './deadlines';

/**
 * The signal of one call or request. undici takes an EventEmitter with `aborted` and `reason`
 * as a request's signal, and one costs far less to make and to listen to than an
 * AbortController's EventTarget, which was most of a call's own time.
 */
export class StopSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }
}

/** A caller's AbortSignal or one of the client's own StopSignals. */
export type AnySignal = AbortSignal | StopSignal;

export function listen(signal: AnySignal, listener: () => void): void {
  if (signal instanceof StopSignal) signal.on('abort', listener);
  else signal.addEventListener('abort', listener, { once: true });
}

export function unlisten(signal: AnySignal, listener: () => void): void {
  if (signal instanceof StopSignal) signal.removeListener('abort', listener);
  else signal.removeEventListener('abort', listener);
}

/** `promise`, or `abortError()` as soon as `signal` fires; `promise` itself keeps running. */
export function raceAbort<T>(promise: Promise<T>, signal: AnySignal | undefined, abortError: () => Error): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    listen(signal, onAbort);
    promise.then(
      (value) => {
        unlisten(signal, onAbort);
        resolve(value);
      },
      (error: unknown) => {
        unlisten(signal, onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms`, or rejects with `abortError()` when `signal` fires first. */
export function sleep(ms: number, signal: AnySignal, abortError: () => Error): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError());
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      unlisten(signal, onAbort);
      resolve();
    }, ms);
    listen(signal, onAbort);
  });
}

export interface LinkedSignal {
  readonly signal: AnySignal;
  /** True when the time limit, not a source, fired the signal. */
  timedOut(): boolean;
  /** Moves the time limit to `ms` from now; nothing once the signal has fired or without a limit. */
  limit(ms: number): void;
  /** Detaches from the sources and drops the time limit; call when the operation is over. */
  dispose(): void;
}

/** A signal used as it is: nothing to detach, no time limit. One per request: no closures. */
class Unlinked implements LinkedSignal {
  constructor(readonly signal: AnySignal) {}

  timedOut(): boolean {
    return false;
  }

  limit(): void {}

  dispose(): void {}
}

function unlinked(signal: AnySignal): LinkedSignal {
  return new Unlinked(signal);
}

/** Deadlines of linked signals made without a client's own (tests, one-off uses). */
const shared = new Deadlines();

/** One StopSignal, its sources and its time limit. */
class Link implements LinkedSignal, Expiring {
  readonly signal = new StopSignal();
  deadline = Number.POSITIVE_INFINITY;
  armed = false;
  private expired = false;
  private readonly onAbort = (): void => {
    const fired = this.sources.find((source) => source.aborted);
    this.signal.abort(fired?.reason);
  };

  constructor(
    private readonly sources: AnySignal[],
    private readonly deadlines: Deadlines | undefined,
  ) {
    for (const source of sources) listen(source, this.onAbort);
  }

  expire(): void {
    this.expired = true;
    this.signal.abort();
  }

  timedOut(): boolean {
    return this.expired && !this.sources.some((source) => source.aborted);
  }

  limit(ms: number): void {
    if (this.deadlines === undefined || this.signal.aborted) return;
    this.deadline = performance.now() + ms;
    this.deadlines.moved(this);
  }

  dispose(): void {
    this.deadlines?.remove(this);
    for (const source of this.sources) unlisten(source, this.onAbort);
  }
}

/**
 * A signal that fires when any source fires or, with `timeoutMs`, when that time has passed.
 * It detaches from the sources explicitly, so a long-lived source (the client's own) collects
 * no listeners over hundreds of thousands of requests; its time limit is one entry in
 * `deadlines`, not a timer of its own.
 */
export function linkSignals(
  sources: readonly (AnySignal | undefined)[],
  timeoutMs?: number,
  deadlines: Deadlines = shared,
): LinkedSignal {
  const present: AnySignal[] = [];
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) return unlinked(AbortSignal.abort(source.reason));
    present.push(source);
  }
  if (present.length === 1 && timeoutMs === undefined && present[0] !== undefined) return unlinked(present[0]);
  const link = new Link(present, timeoutMs === undefined ? undefined : deadlines);
  if (timeoutMs !== undefined) {
    link.deadline = performance.now() + timeoutMs;
    deadlines.add(link);
  }
  return link;
}
