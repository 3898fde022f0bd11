/** Server nonces for digest logins: random, short-lived and good for one login attempt. */
import { randomBytes } from 'node:crypto';

/** Beyond this many outstanding nonces the oldest go first, so 401 floods cannot grow memory. */
const MAX_OUTSTANDING = 10_000;

export type NonceCheck = 'ok' | 'stale';

export class NonceStore {
  /** nonce → expiry (ms by the simulator clock); Map order is issue order. */
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly clock: () => number,
    private readonly lifetimeMs: () => number,
  ) {}

  issue(): string {
    const nonce = randomBytes(16).toString('hex');
    if (this.expiries.size >= MAX_OUTSTANDING) this.dropOldest();
    this.expiries.set(nonce, this.clock() + this.lifetimeMs());
    return nonce;
  }

  /** Uses the nonce up whatever the outcome: a second attempt with it is always refused. */
  consume(nonce: string): NonceCheck {
    const expiry = this.expiries.get(nonce);
    if (expiry === undefined) return 'stale';
    this.expiries.delete(nonce);
    return this.clock() < expiry ? 'ok' : 'stale';
  }

  clear(): void {
    this.expiries.clear();
  }

  /** Nonces share one lifetime, so the first in issue order is also the closest to expiry. */
  private dropOldest(): void {
    const oldest = this.expiries.keys().next();
    if (oldest.done !== true) this.expiries.delete(oldest.value);
  }
}
