/**
 * One control call from POST to result: `POST /ctrl/call`, then polls of `/ctrl/call/{tid}`
 * on the adaptive schedule until the reply is no longer `EAGAIN:`. Also turns refusals into
 * PermissionError when the user lacks the `ctrl` right.
 */
import { EgaugeError, toEgaugeError } from '../errors';
import {
  AbortedError,
  AuthError,
  NetworkError,
  PermissionError,
  ProtocolError,
  TimeoutError,
  CallError,
} from './errors';
import type { RetryPolicy } from './http';
import { describeDevice } from './input';
import { errorContext, meterError, protocolFail, where } from './messages';
import type { Quote } from './redact';
import { PollPlanner } from './poll';
import type { Deadlines } from './deadlines';
import { linkSignals, sleep, type AnySignal } from './signals';
import type { DeviceAttrs, UserRights } from './types';
import { errorText, readCallReply, readResult, readTid } from './validate';

/** The device a call is for, with its queue key worked out once by the caller. */
export interface CallTarget {
  attrs: DeviceAttrs;
  key: string;
}

/** An authorised request as the client sends it. */
export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  operation: string;
  retry: RetryPolicy;
  signal?: AnySignal;
  /** The signal is a call's: it carries the call's deadline and fires when the client closes. */
  callSignal?: boolean;
  body?: unknown;
  sideEffect?: boolean;
  device?: string;
}

export interface ControlDeps {
  meterUrl: string;
  /** Quotes the meter's words with the client's secrets blanked. */
  quote: Quote;
  username: string;
  /** Sends with the token, handles 401, returns the body of a 200 reply. */
  request(spec: RequestSpec): Promise<unknown>;
  fetchRights(signal: AnySignal | undefined): Promise<UserRights>;
  /** Generation of the token held now, if any. */
  tokenGeneration(): number | undefined;
  /** Fires when the client closes. */
  lifetime: AnySignal;
  /** The client's deadlines: a call's limits wait there, not on timers of their own. */
  deadlines: Deadlines;
  /** How long the meter may take to accept a call (answer its POST). */
  requestTimeoutMs: number;
}

export class ControlCalls {
  private readonly planner = new PollPlanner();
  private rightsCache: { generation: number; rights: Promise<UserRights> } | undefined;
  /** Calls started and polls sent, for stats(). */
  calls = 0;
  polls = 0;

  constructor(private readonly deps: ControlDeps) {}

  /** Rights fetched for the current token, so a later refusal need not ask again. */
  rememberRights(rights: Promise<UserRights>): void {
    const generation = this.deps.tokenGeneration();
    const entry = generation === undefined ? undefined : { generation, rights };
    this.rightsCache = entry;
    // A failed look-up is not remembered: the next refusal asks again.
    rights.catch(() => {
      if (this.rightsCache === entry) this.rightsCache = undefined;
    });
  }

  forgetRights(): void {
    this.rightsCache = undefined;
  }

  /** Runs the call; bounded by `timeoutMs` from now (the caller already holds the device's slot). */
  async runCall(
    target: CallTarget,
    method: string,
    args: unknown[],
    timeoutMs: number,
    signals: (AbortSignal | undefined)[],
  ): Promise<unknown> {
    const { attrs, key } = target;
    const device = describeDevice(attrs);
    const startedAt = performance.now();
    // One deadline serves the whole call: first the time the meter has to accept it (a login
    // included), then the rest of the call's time for the result.
    const acceptMs = Math.min(timeoutMs, this.deps.requestTimeoutMs);
    const linked = linkSignals([this.deps.lifetime, ...signals], acceptMs, this.deps.deadlines);
    const signal = linked.signal;
    let accepted = false;
    try {
      const tid = await this.start(attrs, method, args, device, signal);
      accepted = true;
      if (acceptMs < timeoutMs) linked.limit(timeoutMs - (performance.now() - startedAt));
      return await this.awaitResult(key, tid, method, device, signal);
    } catch (error) {
      const failure = toEgaugeError(error, errorContext(this.deps.meterUrl, method, device));
      if (linked.timedOut()) {
        if (!accepted && acceptMs < timeoutMs) throw this.acceptTimeout(method, device, acceptMs, failure.maybeSent);
        throw this.timeout(method, device, timeoutMs, accepted || failure.maybeSent);
      }
      if (accepted) throw this.afterAcceptance(failure, method, device);
      throw failure;
    } finally {
      linked.dispose();
    }
  }

  /** A refusal from /ctrl becomes PermissionError when the user certainly lacks `ctrl`. */
  async refusal(
    error: EgaugeError,
    operation: string,
    signal: AnySignal | undefined,
    device?: string,
  ): Promise<EgaugeError> {
    if (!(error instanceof CallError) && !(error instanceof ProtocolError)) return error;
    if (!(await this.lacksCtrl(signal))) return error;
    return new PermissionError(
      `user "${this.deps.username}" lacks the 'ctrl' right on ${this.deps.meterUrl}, so the meter refused ${operation}; ` +
        'give the user the right to control devices',
      errorContext(this.deps.meterUrl, operation, device, false),
      { cause: error },
    );
  }

  private async lacksCtrl(signal: AnySignal | undefined): Promise<boolean> {
    const generation = this.deps.tokenGeneration();
    const cached = this.rightsCache;
    let rights: Promise<UserRights>;
    if (cached !== undefined && generation !== undefined && cached.generation === generation) {
      rights = cached.rights;
    } else {
      rights = this.deps.fetchRights(signal);
      this.rememberRights(rights);
    }
    return rights.then(
      (found) => !found.rights.includes('ctrl'),
      () => false,
    );
  }

  private async start(
    attrs: DeviceAttrs,
    method: string,
    args: unknown[],
    device: string,
    signal: AnySignal,
  ): Promise<number> {
    this.calls++;
    const body = await this.deps.request({
      method: 'POST',
      path: '/ctrl/call',
      operation: method,
      device,
      // Sent again only when it certainly never left: a relay must not switch twice.
      retry: 'unsent-only',
      sideEffect: true,
      body: { attrs, method, args },
      signal,
      callSignal: true,
    });
    const text = errorText(body);
    if (text !== undefined)
      throw await this.refusal(
        meterError(this.deps.quote, this.deps.meterUrl, method, text, device),
        method,
        signal,
        device,
      );
    const fail = protocolFail(this.deps.meterUrl, method, device);
    try {
      return readTid(readResult(body, fail), fail);
    } catch (error) {
      throw await this.refusal(toEgaugeError(error), method, signal, device);
    }
  }

  private async awaitResult(
    key: string,
    tid: number,
    method: string,
    device: string,
    signal: AnySignal,
  ): Promise<unknown> {
    const schedule = this.planner.begin(`${key} ${method}`, key, method);
    const acceptedAt = performance.now();
    const stopped = (): AbortedError =>
      new AbortedError(
        `${where(this.deps.meterUrl, method, device)}: stopped waiting for the result; the call may still complete on the meter`,
        errorContext(this.deps.meterUrl, method, device, true),
      );
    const fail = protocolFail(this.deps.meterUrl, method, device);
    for (;;) {
      const waitMs = schedule.nextPollAt() - (performance.now() - acceptedAt);
      // The first poll goes out at once: no wait, not even a turn of the event loop.
      if (waitMs > 0 || signal.aborted) await sleep(waitMs, signal, stopped);
      const sentAt = performance.now() - acceptedAt;
      this.polls++;
      const body = await this.deps.request({
        method: 'GET',
        path: `/ctrl/call/${tid}`,
        operation: method,
        device,
        retry: 'idempotent',
        signal,
        callSignal: true,
      });
      const reply = readCallReply(body, fail);
      schedule.record(sentAt, reply.kind !== 'pending');
      if (reply.kind === 'done') return reply.result;
      if (reply.kind === 'failed') {
        throw await this.refusal(
          meterError(this.deps.quote, this.deps.meterUrl, method, reply.text, device, true),
          method,
          signal,
          device,
        );
      }
    }
  }

  private timeout(method: string, device: string, timeoutMs: number, maybeSent: boolean): TimeoutError {
    const tail = maybeSent
      ? 'the meter has no way to cancel a call, so it may still complete on the meter'
      : 'nothing was sent';
    return new TimeoutError(
      `${where(this.deps.meterUrl, method, device)}: no result within ${timeoutMs} ms; ${tail}`,
      errorContext(this.deps.meterUrl, method, device, maybeSent),
    );
  }

  private acceptTimeout(method: string, device: string, limitMs: number, maybeSent: boolean): TimeoutError {
    const tail = maybeSent ? 'the command may or may not have reached the meter' : 'nothing was sent';
    return new TimeoutError(
      `${where(this.deps.meterUrl, method, device)}: no answer within ${limitMs} ms; ${tail}`,
      errorContext(this.deps.meterUrl, method, device, maybeSent),
    );
  }

  /** Once the meter accepted a call, losing track of it does not undo it: say so. */
  private afterAcceptance(error: EgaugeError, method: string, device: string): EgaugeError {
    if (error.maybeSent) return error;
    const context = errorContext(this.deps.meterUrl, method, device, true);
    const message = `${error.message}; the meter had accepted ${method}, which may still complete`;
    const cause = { cause: error };
    switch (error.code) {
      case 'NETWORK':
        return new NetworkError(message, context, cause);
      case 'TIMEOUT':
        return new TimeoutError(message, context, cause);
      case 'PROTOCOL':
        return new ProtocolError(message, context, cause);
      case 'ABORTED':
        return new AbortedError(message, context, cause);
      case 'AUTH':
        return new AuthError(message, context, cause);
      default:
        return error;
    }
  }
}
