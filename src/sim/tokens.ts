/**
 * Bearer tokens shaped like an eGauge meter's: a signed JWT with `usr`, `beg` (issue time, s)
 * and `ltm` (lifetime, s) and no `exp`. The simulator remembers what it issued, so a token is
 * valid only while known, not revoked and not past `beg + ltm`.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface TokenGrant {
  usr: string;
  /** End of validity, ms by the simulator clock. */
  expiresAtMs: number;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export class TokenStore {
  private readonly grants = new Map<string, TokenGrant>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly clock: () => number,
    private readonly lifetimeS: () => number,
  ) {}

  issue(usr: string): string {
    const beg = Math.floor(this.clock() / 1000);
    const ltm = this.lifetimeS();
    // `ltm` goes out as a numeric string, as some meters write it; `jti` keeps two tokens
    // issued in the same second distinct, so logging one out never revokes the other.
    const payload = base64url(JSON.stringify({ usr, beg, ltm: String(ltm), jti: randomBytes(8).toString('hex') }));
    const signature = createHmac('sha256', this.secret).update(`${HEADER}.${payload}`).digest('base64url');
    const token = `${HEADER}.${payload}.${signature}`;
    this.pruneExpired();
    this.grants.set(token, { usr, expiresAtMs: (beg + ltm) * 1000 });
    return token;
  }

  /** The grant behind a token that is still valid now, else undefined. */
  check(token: string): TokenGrant | undefined {
    const grant = this.grants.get(token);
    if (grant === undefined) return undefined;
    if (this.clock() >= grant.expiresAtMs) {
      this.grants.delete(token);
      return undefined;
    }
    return grant;
  }

  revoke(token: string): void {
    this.grants.delete(token);
  }

  revokeAll(): void {
    this.grants.clear();
  }

  /** Sweeps only when many tokens pile up, keeping the per-login cost flat. */
  private pruneExpired(): void {
    if (this.grants.size < 1_000) return;
    const now = this.clock();
    for (const [token, grant] of this.grants) if (now >= grant.expiresAtMs) this.grants.delete(token);
  }
}
