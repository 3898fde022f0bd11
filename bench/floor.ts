/**
 * The floor: the two HTTP requests a /ctrl call needs (POST the call, GET its result), sent
 * with raw undici on keep-alive connections and a token obtained once. Nothing a client could
 * leave out: no queue, no validation, no retries.
 */
import { Pool } from 'undici';
import { digestHash, newClientNonce } from '../src/webapi/digest';

export interface Login {
  username: string;
  password: string;
}

async function json(pool: Pool, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<Record<string, unknown>> {
  const res = await pool.request({ method, path, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
  return (await res.body.json()) as Record<string, unknown>;
}

export async function rawToken(origin: string, login: Login): Promise<string> {
  const pool = new Pool(origin, { connections: 1 });
  try {
    const challenge = await json(pool, 'GET', '/api/auth/unauthorized', {});
    const rlm = String(challenge['rlm']);
    const nnc = String(challenge['nnc']);
    const cnnc = newClientNonce();
    const reply = await json(pool, 'POST', '/api/auth/login', {}, { rlm, usr: login.username, nnc, cnnc, hash: digestHash(login.username, rlm, login.password, nnc, cnnc) });
    if (typeof reply['jwt'] !== 'string') throw new Error('bench login failed');
    return reply['jwt'];
  } finally {
    await pool.close();
  }
}

export class FloorCaller {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;

  constructor(origin: string, token: string, connections: number) {
    this.pool = new Pool(origin, { connections });
    this.headers = { authorization: `Bearer ${token}` };
  }

  /** One get_mask: POST, then GET until the result is there. */
  async getMask(sn: string): Promise<unknown> {
    const started = await json(this.pool, 'POST', '/api/ctrl/call', this.headers, { attrs: { sn }, method: 'relay.get_mask', args: [] });
    const tid = (started['result'] as { tid?: unknown } | undefined)?.tid;
    for (;;) {
      const reply = await json(this.pool, 'GET', `/api/ctrl/call/${String(tid)}`, this.headers);
      if (typeof reply['error'] !== 'string' || !reply['error'].startsWith('EAGAIN')) return reply['result'];
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
