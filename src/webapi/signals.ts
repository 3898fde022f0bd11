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
  /** Detaches from the sources and stops the timer; call when the operation is over. */
  dispose(): void;
}

const NOT_LINKED: LinkedSignal = { signal: new AbortController().signal, timedOut: () => false, dispose: () => undefined };

/**
 * A signal that fires when any source fires or, with `timeoutMs`, when that time has passed.
 * Unlike AbortSignal.any, it detaches from the sources explicitly, so a long-lived source (the
 * client's own) collects no listeners over hundreds of thousands of requests; and one
 * controller serves both jobs, since one is made for every call and every request.
 */
export function linkSignals(sources: readonly (AbortSignal | undefined)[], timeoutMs?: number): LinkedSignal {
  const present = sources.filter((source): source is AbortSignal => source !== undefined);
  if (present.length === 1 && timeoutMs === undefined && present[0] !== undefined) return { ...NOT_LINKED, signal: present[0] };
  const controller = new AbortController();
  const fired = present.find((source) => source.aborted);
  if (fired !== undefined) {
    controller.abort(fired.reason);
    return { signal: controller.signal, timedOut: () => false, dispose: () => undefined };
  }
  let expired = false;
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          controller.abort();
        }, timeoutMs);
  const listeners = present.map((source) => {
    const onAbort = (): void => controller.abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    return { source, onAbort };
  });
  return {
    signal: controller.signal,
    timedOut: () => expired && !present.some((source) => source.aborted),
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      for (const { source, onAbort } of listeners) source.removeEventListener('abort', onAbort);
    },
  };
}
