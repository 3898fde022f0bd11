/**
 * The life of the client's token: digest login, one login in flight at a time, refresh before
 * expiry, re-login straight from a 401 challenge, and logins held back after the meter refused
 * the credentials (so a flow cannot hammer a meter, or lock out an account, with a bad password).
 */
import type { ErrorContext } from '../errors';
import { AbortedError, AuthError, ProtocolError } from './errors';
import { digestHash, newClientNonce } from './digest';
import type { HttpReply, HttpTransport } from './http';
import { localExpiry, readTokenTimes } from './jwt';
import type { MeterText } from './redact';
import { readChallenge, readLoginReply, type Challenge } from './validate';
import { raceAbort, type AnySignal } from './signals';

export class Token {
  /** Private, so neither `util.inspect` nor `JSON.stringify` of anything holding a token shows it. */
  readonly #jwt: string;

  constructor(
    jwt: string,
    /** Counts logins; a 401 for an older generation needs no new login. */
    readonly generation: number,
    /** After this (our clock, ms) a new token is fetched before the next request. */
    readonly refreshAt: number,
  ) {
    this.#jwt = jwt;
  }

  /** The bearer token; never logged, never put in a message. */
  get jwt(): string {
    return this.#jwt;
  }
}

export interface AuthOptions {
  transport: HttpTransport;
  meterUrl: string;
  username: string;
  password: string;
  /** Learns each token, so the meter's words quoted in errors never carry it. */
  texts: MeterText;
  backoff: { initialMs: number; maxMs: number };
  refreshAheadMs: number;
  /** Aborts a login in flight when the client closes. */
  lifetime: AnySignal;
  log: (level: 'debug' | 'warn', text: string) => void;
  /** A login starts (for the 'connecting' state). */
  onLoginStart: () => void;
  /** Login attempts sent (POST /auth/login). */
  onLoginAttempt: () => void;
  now?: () => number;
}

export class TokenManager {
  // Private fields: a settled promise shows its value to util.inspect, so the pending login is private too.
  #current: Token | undefined;
  #pending: Promise<Token> | undefined;
  readonly #password: string;
  private generation = 0;
  private refusals = 0;
  private heldUntil = 0;
  private readonly now: () => number;
  private readonly options: Omit<AuthOptions, 'password'>;

  constructor(options: AuthOptions) {
    const { password, ...rest } = options;
    this.#password = password;
    this.options = rest;
    this.now = options.now ?? Date.now;
  }

  /** The token currently held, if any (for logout). */
  get held(): Token | undefined {
    return this.#current;
  }

  /** The current token while it needs no refresh: taken without waiting, as nearly every request does. */
  get fresh(): Token | undefined {
    const current = this.#current;
    return current !== undefined && this.now() < current.refreshAt ? current : undefined;
  }

  /** A usable token: the current one, or one from a login shared with every other caller. */
  async token(signal?: AnySignal): Promise<Token> {
    return this.fresh ?? this.login(undefined, signal);
  }

  /**
   * The meter refused `rejected` with a 401. Logs in again with the challenge from that 401,
   * unless the token was already replaced or a login is already under way.
   */
  async replace(rejected: Token, challenge: Challenge | undefined, signal?: AnySignal): Promise<Token> {
    const current = this.#current;
    if (current !== undefined && current.generation !== rejected.generation) return current;
    if (current !== undefined) this.#current = undefined;
    return this.login(challenge, signal);
  }

  /** Forgets the token (after logout) and returns it. */
  forget(): Token | undefined {
    const token = this.#current;
    this.#current = undefined;
    return token;
  }

  private context(): ErrorContext {
    return { meter: this.options.meterUrl, operation: 'login' };
  }

  private login(challenge: Challenge | undefined, signal?: AnySignal): Promise<Token> {
    if (this.#pending === undefined) {
      const waitMs = this.heldUntil - this.now();
      if (waitMs > 0) {
        return Promise.reject(
          new AuthError(
            `login as "${this.options.username}" at ${this.options.meterUrl} is held back for another ` +
              `${seconds(waitMs)} because the meter refused the credentials; check the username and password`,
            this.context(),
          ),
        );
      }
      const pending = this.perform(challenge);
      this.#pending = pending;
      // Callers may all have given up waiting: this handler keeps the rejection handled.
      const settled = (): void => {
        if (this.#pending === pending) this.#pending = undefined;
      };
      pending.then(settled, settled);
    }
    return raceAbort(
      this.#pending,
      signal,
      () => new AbortedError(`login at ${this.options.meterUrl}: aborted`, this.context()),
    );
  }

  private async perform(challenge: Challenge | undefined): Promise<Token> {
    this.options.onLoginStart();
    const first = await this.attempt(challenge ?? (await this.fetchChallenge()));
    if (first.kind === 'token') return this.accept(first.jwt);
    // A refused login is often a nonce that went stale on the way: one more try with a fresh one.
    this.options.log('debug', `login at ${this.options.meterUrl} refused once; retrying with a fresh nonce`);
    const second = await this.attempt(await this.fetchChallenge());
    if (second.kind === 'token') return this.accept(second.jwt);
    throw this.refuse(second.text);
  }

  private async fetchChallenge(): Promise<Challenge> {
    const reply = await this.options.transport.send({
      method: 'GET',
      path: '/auth/unauthorized',
      operation: 'GET /auth/unauthorized',
      retry: 'idempotent',
      signal: this.options.lifetime,
    });
    const challenge = reply.status === 401 ? readChallenge(reply.body) : undefined;
    if (challenge === undefined) {
      throw new ProtocolError(
        `login at ${this.options.meterUrl}: GET /auth/unauthorized did not answer with a realm and nonce (HTTP ${reply.status})`,
        this.context(),
      );
    }
    return challenge;
  }

  private async attempt(
    challenge: Challenge,
  ): Promise<{ kind: 'token'; jwt: string } | { kind: 'refused'; text: string }> {
    const { username } = this.options;
    const cnnc = newClientNonce();
    const hash = digestHash(username, challenge.rlm, this.#password, challenge.nnc, cnnc);
    this.options.onLoginAttempt();
    // Retrying a login is safe: at worst the nonce was used and the second attempt is refused.
    const reply: HttpReply = await this.options.transport.send({
      method: 'POST',
      path: '/auth/login',
      operation: 'POST /auth/login',
      retry: 'idempotent',
      body: { rlm: challenge.rlm, usr: username, nnc: challenge.nnc, cnnc, hash },
      signal: this.options.lifetime,
      quoteBody: false,
    });
    const fail = (problem: string): never => {
      throw new ProtocolError(`login at ${this.options.meterUrl}: ${problem} (HTTP ${reply.status})`, this.context());
    };
    if (reply.status === 400) return fail('the meter rejected the login request as malformed');
    if (reply.status === 401) return { kind: 'refused', text: 'unauthorized' };
    return readLoginReply(reply.body, fail);
  }

  private accept(jwt: string): Token {
    const times = readTokenTimes(jwt);
    if (times === undefined) {
      throw new ProtocolError(
        `login at ${this.options.meterUrl}: the token has no readable beg/ltm lifetime`,
        this.context(),
      );
    }
    const receivedAt = this.now();
    const expiresAt = localExpiry(times, receivedAt);
    // Refresh ahead of expiry, but a short-lived token is used for at least half its life.
    const ahead = Math.min(this.options.refreshAheadMs, times.lifetimeMs / 2);
    this.generation++;
    this.refusals = 0;
    this.heldUntil = 0;
    const token = new Token(jwt, this.generation, expiresAt - ahead);
    this.options.texts.rememberToken(jwt);
    this.#current = token;
    this.options.log('debug', `logged in to ${this.options.meterUrl} as "${this.options.username}"`);
    return token;
  }

  private refuse(meterText: string): AuthError {
    const { initialMs, maxMs } = this.options.backoff;
    const holdMs = Math.min(maxMs, initialMs * 2 ** Math.min(this.refusals, 30));
    this.refusals++;
    this.heldUntil = this.now() + holdMs;
    this.#current = undefined;
    const message =
      `authentication failed for user "${this.options.username}" at ${this.options.meterUrl}: the meter said ` +
      `"${this.options.texts.quote(meterText)}"; check the username and password (next login attempt in ${seconds(holdMs)})`;
    this.options.log('warn', message);
    return new AuthError(message, this.context());
  }
}

/** `0.3 s`, `12 s`: tenths while they matter. */
function seconds(ms: number): string {
  return ms < 10_000 ? `${(Math.ceil(ms / 100) / 10).toFixed(1)} s` : `${Math.ceil(ms / 1000)} s`;
}
