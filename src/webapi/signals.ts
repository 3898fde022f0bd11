/** Waiting that gives up when a signal fires, without leaving timers or listeners behind. */

/** `promise`, or `abortError()` as soon as `signal` fires; `promise` itself keeps running. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, abortError: () => Error): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms`, or rejects with `abortError()` when `signal` fires first. */
export function sleep(ms: number, signal: AbortSignal, abortError: () => Error): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError());
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** True when the time limit, not a source, fired the signal. */
  timedOut(): boolean;
  /** Moves the time limit to `ms` from now; nothing once the signal has fired or without a limit. */
  limit(ms: number): void;
  /** Detaches from the sources and stops the timer; call when the operation is over. */
  dispose(): void;
}

/** A signal used as it is: nothing to detach, no timer. */
function unlinked(signal: AbortSignal): LinkedSignal {
  return { signal, timedOut: () => false, limit: () => undefined, dispose: () => undefined };
}

/**
 * A signal that fires when any source fires or, with `timeoutMs`, when that time has passed.
 * Unlike AbortSignal.any, it detaches from the sources explicitly, so a long-lived source (the
 * client's own) collects no listeners over hundreds of thousands of requests; and one
 * controller serves both jobs, since one is made for every call and every request.
 */
export function linkSignals(sources: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const present: AbortSignal[] = [];
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) return unlinked(AbortSignal.abort(source.reason));
    present.push(source);
  }
  if (present.length === 1 && timeoutMs === undefined && present[0] !== undefined) return unlinked(present[0]);
  const controller = new AbortController();
  let expired = false;
  let deadline = timeoutMs === undefined ? 0 : performance.now() + timeoutMs;
  let firesAt = deadline;
  const onTimer = (): void => {
    const left = deadline - performance.now();
    if (left > 1) {
      // The limit was moved later since this timer was set: wait for the rest.
      firesAt = deadline;
      timer = setTimeout(onTimer, left);
      return;
    }
    expired = true;
    controller.abort();
  };
  let timer = timeoutMs === undefined ? undefined : setTimeout(onTimer, timeoutMs);
  const onAbort = function (this: AbortSignal): void {
    controller.abort(this.reason);
  };
  for (const source of present) source.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired && !present.some((source) => source.aborted),
    limit: (ms) => {
      if (timer === undefined || controller.signal.aborted) return;
      deadline = performance.now() + ms;
      // A later limit costs nothing now: the armed timer looks again when it fires. Re-arming
      // on every call (each one moves its limit once) measurably slowed calls.
      if (deadline < firesAt) {
        clearTimeout(timer);
        firesAt = deadline;
        timer = setTimeout(onTimer, ms);
      }
    },
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const source of present) source.removeEventListener('abort', onAbort);
    },
  };
}
