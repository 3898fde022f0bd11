/**
 * Turns HTTP requests into routed replies: reads the body, checks the token, logs the exchange,
 * applies the faults in force and writes JSON. Kept lean: the benchmark goes through it.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestBody, SimContext, SimRequest } from './context';
import { garbageFor, garbageStatus, writeGarbage } from './faults';
import { isRecord } from './json-guards';
import type { Reply } from './reply';
import { bearerToken, readBody } from './request-body';
import { route } from './routes';

const LOGIN_PATH = '/api/auth/login';

/** Replies held back by `faults.delayMs`, cleared when the simulator closes. */
export class DelayedReplies {
  private readonly timers = new Set<NodeJS.Timeout>();

  schedule(send: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, delayMs);
    this.timers.add(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

function tooLarge(path: string): Reply {
  return path === LOGIN_PATH
    ? { status: 400, body: { error: 'Bad Request' } }
    : { status: 200, body: { error: 'Request body too large.' } };
}

/** The body as the request log keeps it: parsed JSON, with a login password masked. */
function loggedBody(path: string, body: RequestBody): unknown {
  if (body.kind !== 'json') return undefined;
  const { value } = body;
  if (path === LOGIN_PATH && isRecord(value) && typeof value['pwd'] === 'string') return { ...value, pwd: '********' };
  return value;
}

function sendJson(res: ServerResponse, reply: Reply, closeAfter: boolean): void {
  const text = JSON.stringify(reply.body);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  };
  if (closeAfter) headers['Connection'] = 'close';
  res.writeHead(reply.status, headers);
  res.end(text);
}

export function createRequestListener(ctx: SimContext, secure: boolean, delayed: DelayedReplies): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const time = ctx.clock();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const query = queryStart < 0 ? '' : url.slice(queryStart + 1);
    const token = bearerToken(req.headers.authorization);

    const answer = (body: RequestBody): void => {
      const grant = token === undefined ? undefined : ctx.tokens.check(token);
      const request: SimRequest = { method, path, query, body, secure, token, grant };
      const reply = body.kind === 'too-large' ? tooLarge(path) : route(request, ctx);
      const garbage = garbageFor(ctx.faults, path);
      ctx.log.record({
        time,
        method,
        path,
        query,
        status: garbage === null ? reply.status : garbageStatus(garbage),
        authorized: grant !== undefined,
        body: loggedBody(path, body),
      });
      const oversizedBytes = ctx.faults.oversizedBytes;
      const send = (): void => {
        if (res.destroyed) return;
        // After a refused upload the rest of it is never read, so the connection cannot be reused.
        if (garbage === null) sendJson(res, reply, body.kind === 'too-large');
        else writeGarbage(res, garbage, oversizedBytes);
      };
      if (ctx.faults.delayMs > 0) delayed.schedule(send, ctx.faults.delayMs);
      else send();
    };

    if (method === 'GET' || method === 'HEAD') answer({ kind: 'none' });
    else readBody(req, answer);
  };
}
