/** Digest login material: the password itself never leaves this process. */
import { createHash, randomBytes } from 'node:crypto';

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** `md5(md5(usr:rlm:pwd) + ":" + nnc + ":" + cnnc)` in lower-case hex, as the meter expects. */
export function digestHash(usr: string, rlm: string, pwd: string, nnc: string, cnnc: string): string {
  const ha1 = md5Hex(`${usr}:${rlm}:${pwd}`);
  return md5Hex(`${ha1}:${nnc}:${cnnc}`);
}

/** A fresh client nonce for every login attempt, from the strong RNG so hashes cannot be replayed. */
export function newClientNonce(): string {
  return randomBytes(16).toString('hex');
}
