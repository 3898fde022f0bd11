/**
 * `EgaugeClient`: the one entry point to a meter. It composes the transport (http.ts), the
 * token manager (auth.ts), the per-device queue (device-queue.ts) and the poll schedule
 * (poll.ts), and turns every outcome into one of the typed errors of errors.ts.
 */
import { EventEmitter } from 'node:events';
import { TokenManager, type Token } from './auth';
import { ControlCalls, type RequestSpec } from './control';
import { Deadlines } from './deadlines';
import { deviceKey, DeviceQueue } from './device-queue';
import { EgaugeError, InputError, toEgaugeError } from '../errors';
import { AbortedError, AuthError, NetworkError, ProtocolError, QueueFullError, TimeoutError } from './errors';
import { HttpTransport, type HttpRequest, type TlsOptions } from './http';
import { checkArgs, checkAttrs, checkCount, checkMethod, checkPositive, describeDevice } from './input';
import { errorContext, meterError, protocolFail, where } from './messages';
import { MeterText } from './redact';
import { linkSignals, StopSignal, type AnySignal } from './signals';
import type {
  CallOptions,
  ClientState,
  ControlDevice,
  DeviceAttrs,
  DeviceCaller,
  InterfaceMap,
  RegisterSnapshot,
  UserRights,
} from './types';
import { normalizeMeterUrl } from './url';
import {
  errorText,
  isRecord,
  readChallenge,
  readDevices,
  readInterfaces,
  readRegisters,
  readResult,
  readRights,
} from './validate';

export interface ClientOptions {
  url: string;
  username: string;
  password: string;
  tls?: TlsOptions;
  /** One HTTP exchange (headers + body), default 10 000 ms. */
  requestTimeoutMs?: number;
  /** A whole control call with its polls, default 30 000 ms; the same bound applies to queue wait. */
  callTimeoutMs?: number;
  /** Calls that may wait per device, default 64. */
  queueLimit?: number;
  /** Hold-back after refused credentials, doubling from initialMs to maxMs; default 5 s → 300 s. */
  authBackoff?: { initialMs: number; maxMs: number };
  /** Log in again this long before the token expires, default 60 000 ms (at most half its life). */
  refreshAheadMs?: number;
  /** Largest reply body read, default 1 MiB. */
  maxResponseBytes?: number;
  /** Never receives secrets. */
  log?: (level: 'debug' | 'warn', text: string) => void;
}

/** What waits in a device lane: a single call, or a `withDevice` job. */
export type QueuedWork = { kind: 'call'; method: string; args: unknown[] } | { kind: 'job' };

const DEFAULTS = {
  requestTimeoutMs: 10_000,
  callTimeoutMs: 30_000,
  queueLimit: 64,
  backoffInitialMs: 5_000,
  backoffMaxMs: 300_000,
  refreshAheadMs: 60_000,
  maxResponseBytes: 1_048_576,
  /** Logging out on close must not hold up a redeploy. */
  logoutOnCloseMs: 1_000,
};

export class EgaugeClient extends EventEmitter {
  readonly url: string;
  private readonly username: string;
  private readonly callTimeoutMs: number;
  private readonly transport: HttpTransport;
  private readonly auth: TokenManager;
  private readonly queue: DeviceQueue<QueuedWork>;
  private readonly control: ControlCalls;
  private readonly lifetime = new StopSignal();
  private readonly deadlines = new Deadlines();
  /** Quotes the meter's words with this client's password and tokens blanked. */
  private readonly texts: MeterText;
  private readonly writeLog: (level: 'debug' | 'warn', text: string) => void;
  private currentState: ClientState = 'idle';
  private closing: Promise<void> | undefined;
  private loginAttempts = 0;

  constructor(options: ClientOptions) {
    super();
    // Every request in flight listens to the client's signal; dozens at once are normal.
    this.lifetime.setMaxListeners(0);
    if (!isRecord(options)) throw new InputError('options', 'client options must be an object');
    this.url = normalizeMeterUrl(options.url);
    if (typeof options.username !== 'string' || options.username.trim() === '')
      throw new InputError('username', 'username must not be empty');
    if (typeof options.password !== 'string') throw new InputError('password', 'password must be a string');
    this.username = options.username;
    this.texts = new MeterText(options.password);
    if (options.tls !== undefined && !isRecord(options.tls))
      throw new InputError('tls', 'tls must be an object with ca, cert, key or rejectUnauthorized');
    const requestTimeoutMs = checkPositive(options.requestTimeoutMs, 'requestTimeoutMs', DEFAULTS.requestTimeoutMs);
    this.callTimeoutMs = checkPositive(options.callTimeoutMs, 'callTimeoutMs', DEFAULTS.callTimeoutMs);
    const backoff = {
      initialMs: checkPositive(options.authBackoff?.initialMs, 'authBackoff.initialMs', DEFAULTS.backoffInitialMs),
      maxMs: checkPositive(options.authBackoff?.maxMs, 'authBackoff.maxMs', DEFAULTS.backoffMaxMs),
    };
    const userLog = options.log;
    this.writeLog = (level, text) => {
      try {
        userLog?.(level, text);
      } catch {
        // A faulty logger must not break requests.
      }
    };
    this.transport = new HttpTransport({
      meterUrl: this.url,
      requestTimeoutMs,
      maxResponseBytes: checkPositive(options.maxResponseBytes, 'maxResponseBytes', DEFAULTS.maxResponseBytes),
      log: this.writeLog,
      quote: this.texts.quote,
      deadlines: this.deadlines,
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
    });
    this.auth = new TokenManager({
      transport: this.transport,
      meterUrl: this.url,
      username: options.username,
      password: options.password,
      texts: this.texts,
      backoff: { initialMs: backoff.initialMs, maxMs: Math.max(backoff.initialMs, backoff.maxMs) },
      refreshAheadMs: checkCount(options.refreshAheadMs, 'refreshAheadMs', DEFAULTS.refreshAheadMs),
      lifetime: this.lifetime,
      log: this.writeLog,
      onLoginStart: () => {
        if (this.currentState !== 'ready') this.setState('connecting');
      },
      onLoginAttempt: () => {
        this.loginAttempts++;
      },
    });
    this.control = new ControlCalls({
      meterUrl: this.url,
      quote: this.texts.quote,
      username: this.username,
      request: (spec) => this.request(spec),
      fetchRights: (signal) => this.fetchRights(signal),
      tokenGeneration: () => this.auth.held?.generation,
      lifetime: this.lifetime,
      deadlines: this.deadlines,
      requestTimeoutMs,
    });
    this.queue = new DeviceQueue<QueuedWork>(
      checkCount(options.queueLimit, 'queueLimit', DEFAULTS.queueLimit),
      {
        full: (key, limit) =>
          new QueueFullError(
            `${limit} calls are already waiting for ${this.labelOf(key)} on ${this.url}; this one was not sent`,
            {
              meter: this.url,
              device: this.labelOf(key),
            },
          ),
        aborted: (key) =>
          new AbortedError(
            `call for ${this.labelOf(key)} on ${this.url} was cancelled while waiting; nothing was sent`,
            {
              meter: this.url,
              device: this.labelOf(key),
            },
          ),
        waitTimeout: (key, waitedMs) =>
          new TimeoutError(
            `waited ${waitedMs} ms for earlier calls to ${this.labelOf(key)} on ${this.url} to finish; nothing was sent`,
            {
              meter: this.url,
              device: this.labelOf(key),
            },
          ),
      },
      this.deadlines,
    );
  }

  get state(): ClientState {
    return this.currentState;
  }

  stats(): { requests: number; logins: number; polls: number; calls: number } {
    return {
      requests: this.transport.requests,
      logins: this.loginAttempts,
      polls: this.control.polls,
      calls: this.control.calls,
    };
  }

  async rights(options: { signal?: AbortSignal } = {}): Promise<UserRights> {
    const rights = await this.fetchRights(options.signal);
    this.control.rememberRights(Promise.resolve(rights));
    return rights;
  }

  async devices(attrs?: DeviceAttrs, options: { signal?: AbortSignal } = {}): Promise<ControlDevice[]> {
    const selection = attrs === undefined ? undefined : checkAttrs(attrs, 'attrs', false);
    const query = selection === undefined ? '' : `?attrs=${encodeURIComponent(JSON.stringify(selection))}`;
    const operation = 'GET /ctrl/device';
    const body = await this.ctrlGet(`/ctrl/device${query}`, operation, options.signal);
    const fail = protocolFail(this.url, operation);
    return readDevices(readResult(body, fail), fail, (count) =>
      this.writeLog('warn', `${operation} on ${this.url}: ignored ${count} device record(s) without a path`),
    );
  }

  async interfaces(options: { signal?: AbortSignal } = {}): Promise<InterfaceMap> {
    const operation = 'GET /ctrl/interface';
    const body = await this.ctrlGet('/ctrl/interface', operation, options.signal);
    const fail = protocolFail(this.url, operation);
    return readInterfaces(readResult(body, fail), fail);
  }

  async registers(options: { signal?: AbortSignal; rates?: boolean } = {}): Promise<RegisterSnapshot> {
    const path = options.rates === false ? '/register' : '/register?rate';
    const operation = `GET ${path}`;
    const body = await this.request({ method: 'GET', path, operation, retry: 'idempotent', signal: options.signal });
    const text = errorText(body);
    if (text !== undefined) throw meterError(this.texts.quote, this.url, operation, text);
    return readRegisters(body, protocolFail(this.url, operation), (count) =>
      this.writeLog(
        'warn',
        `${operation} on ${this.url}: ignored ${count} register record(s) without name, type or idx`,
      ),
    );
  }

  /** Runs one control call when the device's earlier calls are done; resolves with its result. */
  call(attrs: DeviceAttrs, method: string, args: unknown[], options: CallOptions = {}): Promise<unknown> {
    try {
      const selection = checkAttrs(attrs, 'attrs', true);
      const name = checkMethod(method);
      const list = checkArgs(args);
      const timeoutMs = checkPositive(options.timeoutMs, 'timeoutMs', this.callTimeoutMs);
      this.assertOpen(name);
      const target = { attrs: selection, key: deviceKey(selection) };
      return this.queue.runInTurn(
        target.key,
        () => this.control.runCall(target, name, list, timeoutMs, [options.signal]),
        {
          signal: options.signal,
          maxWaitMs: timeoutMs,
          tag: { kind: 'call', method: name, args: list },
        },
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Runs `job` holding the device's slot, so its calls are not interleaved with anyone else's.
   * Inside the job, call the device through `call`: `client.call` on the same device would
   * queue behind the job itself.
   */
  withDevice<T>(
    attrs: DeviceAttrs,
    job: (call: DeviceCaller) => Promise<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    try {
      const selection = checkAttrs(attrs, 'attrs', true);
      this.assertOpen('withDevice');
      const jobSignal = options.signal;
      const target = { attrs: selection, key: deviceKey(selection) };
      return this.queue.runInTurn(
        target.key,
        async () => {
          let holding = true;
          const caller: DeviceCaller = async (method, args, callOptions = {}) => {
            // A caller kept beyond its job would break the atomicity the slot promises.
            if (!holding)
              throw new EgaugeError(
                'INTERNAL',
                `a device caller for ${describeDevice(selection)} was used after its job ended`,
                { meter: this.url },
              );
            const name = checkMethod(method);
            const timeoutMs = checkPositive(callOptions.timeoutMs, 'timeoutMs', this.callTimeoutMs);
            return this.control.runCall(target, name, checkArgs(args), timeoutMs, [callOptions.signal, jobSignal]);
          };
          try {
            return await job(caller);
          } finally {
            holding = false;
          }
        },
        { signal: jobSignal, maxWaitMs: this.callTimeoutMs, tag: { kind: 'job' } },
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Revokes the token on the meter (best effort) and forgets it; the next request logs in again. */
  async logout(): Promise<void> {
    this.assertOpen('logout');
    const token = this.auth.forget();
    this.control.forgetRights();
    if (token !== undefined) await this.sendLogout(token, this.lifetime);
  }

  /** Aborts everything in flight, logs out (bounded), closes the connections. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.setState('closed');
    this.lifetime.abort();
    this.queue.rejectWaiting((key, work) => {
      const operation = work.kind === 'call' ? work.method : 'withDevice';
      const device = this.labelOf(key);
      return new AbortedError(`${operation} for ${device} on ${this.url}: the client was closed; nothing was sent`, {
        meter: this.url,
        operation,
        device,
      });
    });
    const token = this.auth.forget();
    if (token !== undefined) {
      const bound = new AbortController();
      const timer = setTimeout(() => bound.abort(), DEFAULTS.logoutOnCloseMs);
      try {
        await this.sendLogout(token, bound.signal);
      } finally {
        clearTimeout(timer);
      }
    }
    await this.transport.destroy();
    this.deadlines.stop();
  }

  private async sendLogout(token: Token, signal: AnySignal): Promise<void> {
    try {
      await this.transport.send({
        method: 'GET',
        path: '/auth/logout',
        operation: 'GET /auth/logout',
        retry: 'idempotent',
        token: token.jwt,
        signal,
      });
    } catch (error) {
      this.writeLog('debug', `logout from ${this.url} failed: ${toEgaugeError(error).message}`);
    }
  }

  private setState(state: ClientState, error?: EgaugeError): void {
    if (this.currentState === state || this.currentState === 'closed') return;
    this.currentState = state;
    try {
      this.emit('state', state, error);
    } catch (listenerError) {
      this.writeLog('warn', `a 'state' listener threw: ${toEgaugeError(listenerError).message}`);
    }
  }

  private assertOpen(operation: string): void {
    if (this.closing !== undefined) {
      throw new AbortedError(`${operation} on ${this.url}: the client was closed; nothing was sent`, {
        meter: this.url,
        operation,
      });
    }
  }

  /** A request cut short by close(); only a command's fate matters to the caller. */
  private closedError(spec: RequestSpec, maybeSent: boolean): AbortedError {
    const tail =
      spec.sideEffect !== true
        ? ''
        : maybeSent
          ? '; the command may or may not have reached the meter'
          : '; nothing was sent';
    return new AbortedError(
      `${where(this.url, spec.operation, spec.device)}: the client was closed${tail}`,
      errorContext(this.url, spec.operation, spec.device, maybeSent),
    );
  }

  private labelOf(key: string): string {
    try {
      const attrs: unknown = JSON.parse(key);
      return isRecord(attrs) ? describeDevice(attrs) : key;
    } catch {
      return key;
    }
  }

  /**
   * One authorised request: log in if needed, send, and on a 401 log in again from the
   * challenge in that reply and send once more. Returns the body of a 200 reply.
   */
  private async request(spec: RequestSpec): Promise<unknown> {
    this.assertOpen(spec.operation);
    const linked = linkSignals(
      spec.callSignal === true ? [spec.signal] : [this.lifetime, spec.signal],
      undefined,
      this.deadlines,
    );
    const signal = linked.signal;
    // Field by field: a spread copy of the spec made every request measurably slower. A call's
    // requests need no timer of their own: the call's signal carries its deadlines.
    const request: HttpRequest = {
      method: spec.method,
      path: spec.path,
      operation: spec.operation,
      retry: spec.retry,
      body: spec.body,
      sideEffect: spec.sideEffect,
      device: spec.device,
      signal,
      bounded: spec.callSignal === true,
    };
    const send = (token: Token): Promise<{ status: number; body: unknown }> => {
      request.token = token.jwt;
      return this.transport.send(request);
    };
    try {
      let token = this.auth.fresh ?? (await this.auth.token(signal));
      let reply = await send(token);
      if (reply.status === 401) {
        // The meter refused before acting, so even a command is safe to send again.
        token = await this.auth.replace(token, readChallenge(reply.body), signal);
        reply = await send(token);
        if (reply.status === 401) {
          throw new AuthError(
            `${where(this.url, spec.operation, spec.device)}: the meter refused a freshly issued token`,
            errorContext(this.url, spec.operation, spec.device),
          );
        }
      }
      if (reply.status !== 200) {
        // Only login and logout are documented to answer 400; a refused request did nothing.
        throw new ProtocolError(
          `${where(this.url, spec.operation, spec.device)}: the meter rejected the request (HTTP ${reply.status}: "${this.texts.quote(errorText(reply.body) ?? '')}")`,
          errorContext(this.url, spec.operation, spec.device, false),
        );
      }
      this.setState('ready');
      return reply.body;
    } catch (error) {
      throw this.noteFailure(error, spec);
    } finally {
      linked.dispose();
    }
  }

  private noteFailure(error: unknown, spec: RequestSpec): EgaugeError {
    const failure = toEgaugeError(error, { meter: this.url, operation: spec.operation });
    if (this.closing !== undefined)
      return failure instanceof AbortedError ? this.closedError(spec, failure.maybeSent) : failure;
    if (failure instanceof NetworkError || failure instanceof TimeoutError) {
      this.setState('unreachable', failure);
    } else if (failure instanceof AuthError) {
      this.setState('auth-failed', failure);
    }
    return failure;
  }

  private async fetchRights(signal: AnySignal | undefined): Promise<UserRights> {
    const operation = 'GET /auth/rights';
    const body = await this.request({ method: 'GET', path: '/auth/rights', operation, retry: 'idempotent', signal });
    const text = errorText(body);
    if (text !== undefined) throw meterError(this.texts.quote, this.url, operation, text);
    return readRights(body, protocolFail(this.url, operation));
  }

  private async ctrlGet(path: string, operation: string, signal: AnySignal | undefined): Promise<unknown> {
    const body = await this.request({ method: 'GET', path, operation, retry: 'idempotent', signal });
    const text = errorText(body);
    if (text !== undefined)
      throw await this.control.refusal(meterError(this.texts.quote, this.url, operation, text), operation, signal);
    return body;
  }
}
