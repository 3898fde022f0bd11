/** Reads a request body as JSON, refusing more than MAX_BODY_BYTES without buffering it. */
import type { IncomingMessage } from 'node:http';
import type { RequestBody } from './context';
import { parseJson } from './json-guards';

export const MAX_BODY_BYTES = 64 * 1024;

export function readBody(req: IncomingMessage, done: (body: RequestBody) => void): void {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) {
    done({ kind: 'too-large' });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (body: RequestBody): void => {
    if (settled) return;
    settled = true;
    done(body);
  };
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      chunks.length = 0;
      settle({ kind: 'too-large' });
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (size === 0) return settle({ kind: 'none' });
    const parsed = parseJson(Buffer.concat(chunks, size).toString('utf8'));
    settle(parsed === undefined ? { kind: 'invalid' } : { kind: 'json', value: parsed.value });
  });
  // An aborted upload gets no reply: there is nobody left to read it.
  req.on('error', () => {
    settled = true;
  });
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
