/**
 * The floor: the HTTP requests a relay operation needs (POST each call, GET its result), sent
 * with raw undici on keep-alive connections and a token obtained once. Nothing a client could
 * leave out: no validation, no deadlines, no retries. It keeps one operation in flight per
 * device, as the PRM3 itself runs one command at a time.
 */
import { Pool } from 'undici';
import { digestHash, newClientNonce } from '../src/webapi';

export interface Login {
  username: string;
  password: string;
}

/** The relay operations the bench times: a read; a set with its read-back; a toggle (read, set, read-back). */
export type Operation = 'get' | 'set' | 'toggle';

export const OPERATIONS: readonly Operation[] = ['get', 'set', 'toggle'];

async function json(
  pool: Pool,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await pool.request({
    method,
    path,
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return (await res.body.json()) as Record<string, unknown>;
}

export async function rawToken(origin: string, login: Login): Promise<string> {
  const pool = new Pool(origin, { connections: 1 });
  try {
    const challenge = await json(pool, 'GET', '/api/auth/unauthorized', {});
    const rlm = String(challenge['rlm']);
    const nnc = String(challenge['nnc']);
    const cnnc = newClientNonce();
    const reply = await json(
      pool,
      'POST',
      '/api/auth/login',
      {},
      { rlm, usr: login.username, nnc, cnnc, hash: digestHash(login.username, rlm, login.password, nnc, cnnc) },
    );
    if (typeof reply['jwt'] !== 'string') throw new Error('bench login failed');
    return reply['jwt'];
  } finally {
    await pool.close();
  }
}

export class FloorCaller {
  private readonly pool: Pool;
  private readonly headers: Record<string, string>;
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(origin: string, token: string, connections: number) {
    this.pool = new Pool(origin, { connections });
    this.headers = { authorization: `Bearer ${token}` };
  }

  /** One /ctrl call: POST, then GET until the result is there. */
  async call(sn: string, method: string, args: unknown[]): Promise<unknown> {
    const started = await json(this.pool, 'POST', '/api/ctrl/call', this.headers, { attrs: { sn }, method, args });
    const tid = (started['result'] as { tid?: unknown } | undefined)?.tid;
    for (;;) {
      const reply = await json(this.pool, 'GET', `/api/ctrl/call/${String(tid)}`, this.headers);
      if (typeof reply['error'] !== 'string' || !reply['error'].startsWith('EAGAIN')) return reply['result'];
    }
  }

  getMask(sn: string): Promise<unknown> {
    return this.call(sn, 'relay.get_mask', []);
  }

  /** The calls of one operation: the same calls `prm3 mask` makes for a node driving all three relays. */
  async operate(sn: string, operation: Operation, mask = 5): Promise<unknown> {
    if (operation === 'get') return this.getMask(sn);
    if (operation === 'set') {
      await this.call(sn, 'relay.set_mask', [mask]);
      return this.getMask(sn);
    }
    const current = Number(await this.getMask(sn));
    await this.call(sn, 'relay.set_mask', [current ^ 7]);
    return this.getMask(sn);
  }

  /** `operate`, but one at a time per device: concurrent callers of one device wait their turn. */
  serial(sn: string, operation: Operation, mask?: number): Promise<unknown> {
    const before = this.busy.get(sn) ?? Promise.resolve();
    const run = before.then(() => this.operate(sn, operation, mask));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(sn, settled);
    void settled.then(() => {
      if (this.busy.get(sn) === settled) this.busy.delete(sn);
    });
    return run;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
