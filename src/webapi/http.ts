/**
 * JSON over HTTP to one meter: one undici Pool, bounded bodies, and failures turned into typed
 * errors that say whether a request may have reached the meter.
 */
import { Pool } from 'undici';
import type { EgaugeError, ErrorContext } from '../errors';
import { AbortedError, NetworkError, ProtocolError, TimeoutError } from './errors';
import { exchange, ReplyTooLarge } from './exchange';
import { describeBody, safeQuote, type Quote } from './redact';
import type { Deadlines } from './deadlines';
import { linkSignals, type AnySignal } from './signals';

export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized?: boolean;
}

export interface TransportOptions {
  /** Normalised meter URL ending in /api. */
  meterUrl: string;
  tls?: TlsOptions;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  log: (level: 'debug' | 'warn', text: string) => void;
  /** Quotes what the other side said, with the client's secrets blanked; default `safeQuote`. */
  quote?: Quote;
  /** Where each request's time limit waits; the client's own, so close() stops its timer. */
  deadlines?: Deadlines;
}

/**
 * `idempotent`: retried once after a reset connection (a stale keep-alive socket) or one that
 * was never established. `unsent-only`: retried once only when the request certainly never
 * left this machine, for commands that switch real loads.
 */
export type RetryPolicy = 'idempotent' | 'unsent-only';

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path below /api with its query, e.g. `/register?rate`. */
  path: string;
  /** Named in every error, e.g. `GET /ctrl/device`. */
  operation: string;
  retry: RetryPolicy;
  token?: string;
  body?: unknown;
  signal?: AnySignal;
  /**
   * The signal carries a deadline of its own (a /ctrl call's): no second timer per request.
   * undici's header and body timeouts still bound each wait.
   */
  bounded?: boolean;
  /** The request acts on equipment: failures after sending say it may have reached the meter. */
  sideEffect?: boolean;
  /** Replies that may carry a token (login) are never quoted in errors. */
  quoteBody?: boolean;
  device?: string;
}

export interface HttpReply {
  /** 200, 400 or 401: the only statuses the WebAPI uses. */
  status: number;
  body: unknown;
}

/** Embedded web servers drop idle sockets early; never keep one idle longer than this. */
const KEEP_ALIVE_MS = 3_000;
/** Parallel connections to one meter: enough for a few devices at once, gentle on the meter. */
const CONNECTIONS = 6;

type FailureKind = 'unsent' | 'tls' | 'reset' | 'timeout' | 'cancelled' | 'aborted' | 'malformed' | 'other';

/** Failures that, coming from connection setup, mean the request never left this machine. */
const UNSENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** The system calls of connection setup: name lookup and connect. Later ones run on a socket that may have carried the request. */
const SETUP_SYSCALLS = new Set(['connect', 'getaddrinfo', 'getaddrinfo_a']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'EPROTO',
]);

interface ChainLink {
  code: string;
  syscall: string | undefined;
}

/** Error codes along the cause chain (undici wraps socket errors), with the system call that failed. */
function errorChain(error: unknown): ChainLink[] {
  const links: ChainLink[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code: unknown = Reflect.get(current, 'code');
    const syscall: unknown = Reflect.get(current, 'syscall');
    if (typeof code === 'string') links.push({ code, syscall: typeof syscall === 'string' ? syscall : undefined });
    current = Reflect.get(current, 'cause');
  }
  return links;
}

function errorCodes(error: unknown): string[] {
  return errorChain(error).map((link) => link.code);
}

/**
 * Never sent: a setup failure, i.e. a connect timeout, or an unsent code raised by name lookup
 * or connect. The same code from a read or write on an established socket (a host that became
 * unreachable mid-request) may come after the request left, so it counts as a lost connection.
 */
function neverSent(links: readonly ChainLink[]): boolean {
  return links.some(
    (link) =>
      link.code === 'UND_ERR_CONNECT_TIMEOUT' ||
      (UNSENT_CODES.has(link.code) && link.syscall !== undefined && SETUP_SYSCALLS.has(link.syscall)),
  );
}

function classify(error: unknown): FailureKind {
  const links = errorChain(error);
  const codes = links.map((link) => link.code);
  const has = (set: Set<string>): boolean => codes.some((code) => set.has(code));
  if (neverSent(links)) return 'unsent';
  if (has(UNSENT_CODES)) return 'reset';
  if (has(TLS_CODES) || codes.some((code) => code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))) return 'tls';
  if (has(RESET_CODES)) return 'reset';
  if (has(TIMEOUT_CODES)) return 'timeout';
  if (codes.some((code) => code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'))
    return 'malformed';
  if (codes.includes('UND_ERR_ABORTED') || codes.includes('UND_ERR_DESTROYED') || codes.includes('UND_ERR_CLOSED'))
    return 'aborted';
  return 'other';
}

/** One failed attempt, before it becomes a typed error (after the retry decision). */
class AttemptFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    override readonly cause: unknown,
  ) {
    super(kind, { cause });
  }
}

function causeText(cause: unknown, quote: Quote): string {
  const code = errorCodes(cause)[0];
  const message = cause instanceof Error ? cause.message : String(cause);
  return quote(code !== undefined && !message.includes(code) ? `${code}: ${message}` : message);
}

export class HttpTransport {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly basePath: string;
  private sent = 0;
  private readonly quote: Quote;

  constructor(private readonly options: TransportOptions) {
    this.quote = options.quote ?? safeQuote;
    const url = new URL(options.meterUrl);
    this.origin = url.origin;
    this.basePath = url.pathname;
    const tls = options.tls ?? {};
    this.pool = new Pool(this.origin, {
      connections: CONNECTIONS,
      pipelining: 1,
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: KEEP_ALIVE_MS,
      keepAliveTimeoutThreshold: 1_000,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connect: {
        timeout: options.requestTimeoutMs,
        rejectUnauthorized: tls.rejectUnauthorized !== false,
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
      },
    });
  }

  /** HTTP requests started, retries included. */
  get requests(): number {
    return this.sent;
  }

  async send(request: HttpRequest): Promise<HttpReply> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(request);
      } catch (failure) {
        if (!(failure instanceof AttemptFailure)) throw failure;
        if (attempt === 1 && this.mayRetry(request, failure.kind)) {
          this.options.log(
            'debug',
            `${request.operation}: retrying once after ${causeText(failure.cause, this.quote)}`,
          );
          continue;
        }
        throw this.toError(request, failure);
      }
    }
  }

  /** Aborts whatever is in flight and closes every socket. */
  async destroy(): Promise<void> {
    await this.pool.destroy().catch(() => undefined);
  }

  private mayRetry(request: HttpRequest, kind: FailureKind): boolean {
    if (request.signal?.aborted) return false;
    if (kind === 'unsent') return true;
    return kind === 'reset' && request.retry === 'idempotent';
  }

  private async attempt(request: HttpRequest): Promise<HttpReply> {
    if (request.signal?.aborted) throw new AttemptFailure('cancelled', request.signal.reason);
    // One bound for the whole exchange; undici's own timeouts only bound each wait.
    const linked = linkSignals(
      [request.signal],
      request.bounded === true ? undefined : this.options.requestTimeoutMs,
      this.options.deadlines,
    );
    const signal = linked.signal;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
    let payload: string | undefined;
    if (request.body !== undefined) {
      payload = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    this.sent++;
    try {
      const reply = await exchange(
        this.pool,
        { method: request.method, path: this.basePath + request.path, headers, body: payload ?? null },
        signal,
        this.options.maxResponseBytes,
      );
      return this.interpret(request, reply.status, reply.contentType, reply.text);
    } catch (error) {
      if (error instanceof AttemptFailure || error instanceof ProtocolError) throw error;
      if (error instanceof ReplyTooLarge) throw this.protocolError(request, error.message);
      if (request.signal?.aborted) throw new AttemptFailure('aborted', error);
      if (linked.timedOut()) throw new AttemptFailure('timeout', error);
      throw new AttemptFailure(classify(error), error);
    } finally {
      linked.dispose();
    }
  }

  private interpret(
    request: HttpRequest,
    status: number,
    contentType: string | string[] | undefined,
    text: string,
  ): HttpReply {
    const quote = request.quoteBody !== false;
    const jsonStatus = status === 200 || status === 400 || status === 401;
    // Blank text fails to parse and is described like any other unreadable body.
    if (jsonStatus && text !== '') {
      try {
        return { status, body: JSON.parse(text) };
      } catch {
        // Falls through to the description of what arrived instead.
      }
    }
    throw this.protocolError(request, describeBody(status, contentType, text, quote, this.quote));
  }

  private context(request: HttpRequest, maybeSent: boolean): ErrorContext {
    const context: ErrorContext = { meter: this.options.meterUrl, operation: request.operation, maybeSent };
    if (request.device !== undefined) context.device = request.device;
    return context;
  }

  private protocolError(request: HttpRequest, problem: string): ProtocolError {
    // A command whose reply was garbled did reach the meter.
    const sent = request.sideEffect === true;
    const suffix = sent ? '; the command may or may not have been carried out' : '';
    const target = request.device === undefined ? '' : ` for ${request.device}`;
    return new ProtocolError(
      `${request.operation}${target} on ${this.options.meterUrl}: ${problem}${suffix}`,
      this.context(request, sent),
    );
  }

  private toError(request: HttpRequest, failure: AttemptFailure): EgaugeError {
    const where = `${request.operation}${request.device === undefined ? '' : ` for ${request.device}`} on ${this.options.meterUrl}`;
    const cause = { cause: failure.cause };
    const maybe = request.sideEffect === true;
    const ambiguity = maybe ? '; the command may or may not have reached the meter' : '';
    switch (failure.kind) {
      case 'unsent':
        return new NetworkError(
          `${where}: cannot connect to the meter (${causeText(failure.cause, this.quote)})`,
          this.context(request, false),
          cause,
        );
      case 'tls':
        return new NetworkError(
          `${where}: secure connection failed (${causeText(failure.cause, this.quote)}); if the meter uses its own certificate, ` +
            'give its CA certificate or turn off certificate verification',
          this.context(request, false),
          cause,
        );
      case 'reset':
        return new NetworkError(
          `${where}: the connection was closed before the meter answered${ambiguity}`,
          this.context(request, maybe),
          cause,
        );
      case 'timeout':
        return new TimeoutError(
          `${where}: no answer within ${this.options.requestTimeoutMs} ms${ambiguity}`,
          this.context(request, maybe),
          cause,
        );
      case 'cancelled':
        return new AbortedError(`${where}: aborted before it was sent`, this.context(request, false), cause);
      case 'aborted':
        return new AbortedError(`${where}: aborted${ambiguity}`, this.context(request, maybe), cause);
      case 'malformed':
        return new ProtocolError(
          `${where}: the meter sent a malformed HTTP reply${ambiguity}`,
          this.context(request, maybe),
          cause,
        );
      case 'other':
        return new NetworkError(
          `${where}: request failed (${causeText(failure.cause, this.quote)})${ambiguity}`,
          this.context(request, maybe),
          cause,
        );
    }
  }
}
