/**
 * One HTTP exchange through undici's dispatch API: the reply's body is gathered as it arrives
 * and capped in size while it is read. A reply stream per request (undici's `request` API) was
 * about a fifth of the CPU each request cost, and the WebAPI's replies are small JSON bodies.
 */
import type { Dispatcher } from 'undici';
import { listen, unlisten, type AnySignal } from './signals';

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  /** Path with its query, from the origin. */
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface ExchangeReply {
  status: number;
  contentType: string | string[] | undefined;
  text: string;
}

/** The reply was longer than the limit; the connection was closed without reading the rest. */
export class ReplyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the reply is larger than ${limit} bytes`);
  }
}

/** Whatever aborted the signal, as the Error undici needs to abort a request. */
function abortReason(signal: AnySignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('This operation was aborted');
}

class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private contentType: string | string[] | undefined;
  private chunks: Buffer[] = [];
  private length = 0;
  private settled = false;
  private readonly onAbort = (): void => {
    // Before the request reaches a connection there is nothing to abort yet: onRequestStart does it.
    if (this.signal !== undefined) this.controller?.abort(abortReason(this.signal));
  };

  constructor(
    private readonly limit: number,
    private readonly signal: AnySignal | undefined,
    private readonly resolve: (reply: ExchangeReply) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    if (signal !== undefined) listen(signal, this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal?.aborted === true) controller.abort(abortReason(this.signal));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // Informational replies come before the real one; the WebAPI sends none.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.contentType = headers['content-type'];
    const declared = headers['content-length'];
    if (typeof declared === 'string' && declared !== '' && Number(declared) > this.limit) this.tooLarge(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.length += chunk.length;
    if (this.length > this.limit) {
      this.tooLarge(controller);
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    const chunks = this.chunks;
    const body = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, this.length);
    // A byte-order mark is not JSON; undici's own text() drops it too.
    const start = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    this.finish();
    this.resolve({ status: this.status, contentType: this.contentType, text: body.toString('utf8', start) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.settled) return;
    this.finish();
    this.reject(error);
  }

  private tooLarge(controller: Dispatcher.DispatchController): void {
    const error = new ReplyTooLarge(this.limit);
    this.finish();
    this.reject(error);
    // Aborting closes the connection, so the rest is never read into memory.
    controller.abort(error);
  }

  private finish(): void {
    this.settled = true;
    this.chunks = [];
    if (this.signal !== undefined) unlisten(this.signal, this.onAbort);
  }
}

/**
 * Sends `request` on `dispatcher` and resolves with the whole reply, whatever its status.
 * Rejects with undici's error for a failed exchange (aborted by `signal` included), or with
 * ReplyTooLarge once more than `limit` bytes of body are announced or read.
 */
export function exchange(
  dispatcher: Dispatcher,
  request: ExchangeRequest,
  signal: AnySignal | undefined,
  limit: number,
): Promise<ExchangeReply> {
  return new Promise<ExchangeReply>((resolve, reject) => {
    dispatcher.dispatch(request, new ExchangeHandler(limit, signal, resolve, reject));
  });
}
