/** Faults tests switch on at run time: slow replies, garbage bodies, calls that never finish. */
import type { ServerResponse } from 'node:http';
import type { SimFaults, SimGarbage } from './types';

const DEFAULT_OVERSIZED_BYTES = 20 * 1024 * 1024;
const OVERSIZED_PREFIX = '{"result":"';
const OVERSIZED_SUFFIX = '"}';
/** One shared filler chunk: an oversized reply is streamed, never held in memory whole. */
const FILLER_CHUNK = Buffer.alloc(64 * 1024, 'x');
const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

export function defaultFaults(): SimFaults {
  return {
    delayMs: 0,
    garbage: null,
    garbagePaths: null,
    oversizedBytes: DEFAULT_OVERSIZED_BYTES,
    eagainForever: false,
    errorText: null,
  };
}

/** The garbage to send instead of the real reply for this path, if any. */
export function garbageFor(faults: SimFaults, path: string): SimGarbage | null {
  if (faults.garbage === null) return null;
  if (faults.garbagePaths !== null) {
    faults.garbagePaths.lastIndex = 0; // a /g or /y pattern must not remember the last match
    if (!faults.garbagePaths.test(path)) return null;
  }
  return faults.garbage;
}

export function garbageStatus(kind: SimGarbage): number {
  return kind === 'html502' ? 502 : 200;
}

export function writeGarbage(res: ServerResponse, kind: SimGarbage, oversizedBytes: number): void {
  switch (kind) {
    case 'html502':
      res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(HTML_502) });
      res.end(HTML_502);
      return;
    case 'badjson':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 10 });
      res.end('{"result":');
      return;
    case 'empty':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 0 });
      res.end();
      return;
    case 'oversized':
      writeOversized(res, Math.max(oversizedBytes, OVERSIZED_PREFIX.length + OVERSIZED_SUFFIX.length));
      return;
  }
}

/** `{"result":"xxx…"}` of exactly `total` bytes, written as the socket drains. */
function writeOversized(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': total });
  res.write(OVERSIZED_PREFIX);
  let remaining = total - OVERSIZED_PREFIX.length - OVERSIZED_SUFFIX.length;
  const pump = (): void => {
    while (remaining > 0 && !res.destroyed) {
      const chunk = remaining >= FILLER_CHUNK.length ? FILLER_CHUNK : FILLER_CHUNK.subarray(0, remaining);
      remaining -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end(OVERSIZED_SUFFIX);
  };
  pump();
}

/** `faults.errorText` with the secrets it names filled in, or null when that fault is off. */
export function faultErrorText(faults: SimFaults, token: string, password: string): string | null {
  if (faults.errorText === null) return null;
  return faults.errorText.split('{token}').join(token).split('{password}').join(password);
}
