/**
 * POST /auth/login: a digest login (the password never travels) or, over https only, a
 * password login. Refusals are HTTP 200 with `error`; only a body that is neither shape is 400.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isRecord } from './json-guards';
import type { NonceStore } from './nonces';
import type { Reply } from './reply';
import type { TokenStore } from './tokens';
import type { UserDirectory } from './users';

export const STALE_NONCE_ERROR = 'Nonce is unknown, used or expired; request a new one.';
export const BAD_CREDENTIALS_ERROR = 'Invalid username or password.';
export const INSECURE_PASSWORD_ERROR = 'Password login is only allowed over https; use digest login.';

interface DigestLogin {
  rlm: string;
  usr: string;
  nnc: string;
  cnnc: string;
  hash: string;
}

interface PasswordLogin {
  rlm: string;
  usr: string;
  pwd: string;
}

function isDigestLogin(body: Record<string, unknown>): body is Record<string, unknown> & DigestLogin {
  return ['rlm', 'usr', 'nnc', 'cnnc', 'hash'].every((key) => typeof body[key] === 'string');
}

function isPasswordLogin(body: Record<string, unknown>): body is Record<string, unknown> & PasswordLogin {
  return ['rlm', 'usr', 'pwd'].every((key) => typeof body[key] === 'string');
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** `md5(md5(usr:rlm:pwd):nnc:cnnc)`, lower-case hex. */
export function digestHash(usr: string, rlm: string, pwd: string, nnc: string, cnnc: string): string {
  return md5(`${md5(`${usr}:${rlm}:${pwd}`)}:${nnc}:${cnnc}`);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface LoginDeps {
  realm: string;
  users: UserDirectory;
  nonces: NonceStore;
  tokens: TokenStore;
}

export interface LoginOutcome {
  reply: Reply;
  succeeded: boolean;
}

export function handleLogin(body: unknown, secure: boolean, deps: LoginDeps): LoginOutcome {
  if (!isRecord(body)) return refused(400, 'Bad Request');
  if (isDigestLogin(body)) {
    // The nonce is used up first, so even a wrong hash cannot be retried with it.
    if (deps.nonces.consume(body.nnc) !== 'ok') return refused(200, STALE_NONCE_ERROR);
    const user = deps.users.get(body.usr);
    const ok =
      user !== undefined &&
      body.rlm === deps.realm &&
      sameText(body.hash, digestHash(body.usr, body.rlm, user.password, body.nnc, body.cnnc));
    return ok ? granted(body.usr, deps) : refused(200, BAD_CREDENTIALS_ERROR);
  }
  if (isPasswordLogin(body)) {
    if (!secure) return refused(200, INSECURE_PASSWORD_ERROR);
    const user = deps.users.get(body.usr);
    const ok = user !== undefined && body.rlm === deps.realm && sameText(body.pwd, user.password);
    return ok ? granted(body.usr, deps) : refused(200, BAD_CREDENTIALS_ERROR);
  }
  return refused(400, 'Bad Request');
}

function granted(usr: string, deps: LoginDeps): LoginOutcome {
  return { reply: { status: 200, body: { jwt: deps.tokens.issue(usr) } }, succeeded: true };
}

function refused(status: number, error: string): LoginOutcome {
  return { reply: { status, body: { error } }, succeeded: false };
}
