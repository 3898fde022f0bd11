/**
 * `/ctrl/call` bookkeeping: transaction ids, one serial worker per device, and results kept
 * for the last MAX_KEPT_RESULTS calls so a long benchmark runs in bounded memory.
 */
import { randomInt } from 'node:crypto';
import { runMethod, type CallReplyBody } from './methods';
import type { Prm3Module } from './prm3-module';
import { SerialWorker } from './serial-worker';

const MAX_KEPT_RESULTS = 10_000;
const TWO_POW_32 = 2 ** 32;
/** High half of a tid: 1 .. 2^21-1, so tids lie above 2^32 and below 2^53 like a real meter's. */
const HIGH_HALF_LIMIT = 2 ** 21;

interface CallRecord {
  /** Undefined while the call is queued or running. */
  reply: CallReplyBody | undefined;
}

export type CallLookup = { state: 'done'; reply: CallReplyBody } | { state: 'pending' } | { state: 'unknown' };

export class CallCenter {
  private readonly records = new Map<number, CallRecord>();
  private readonly workers = new Map<Prm3Module, SerialWorker>();

  constructor(private readonly defaultLatencyMs: number) {}

  issue(device: Prm3Module, method: string, args: readonly unknown[]): number {
    const tid = this.newTid();
    const record: CallRecord = { reply: undefined };
    this.records.set(tid, record);
    if (this.records.size > MAX_KEPT_RESULTS) this.evictFinished();
    this.workerFor(device).submit(() => {
      record.reply = runMethod(device, method, args);
    });
    return tid;
  }

  lookup(tid: number): CallLookup {
    const record = this.records.get(tid);
    if (record === undefined) return { state: 'unknown' };
    return record.reply === undefined ? { state: 'pending' } : { state: 'done', reply: record.reply };
  }

  stop(): void {
    for (const worker of this.workers.values()) worker.stop();
  }

  private workerFor(device: Prm3Module): SerialWorker {
    let worker = this.workers.get(device);
    if (worker === undefined) {
      worker = new SerialWorker(() => device.latencyMs ?? this.defaultLatencyMs);
      this.workers.set(device, worker);
    }
    return worker;
  }

  private newTid(): number {
    for (;;) {
      const tid = randomInt(1, HIGH_HALF_LIMIT) * TWO_POW_32 + randomInt(0, TWO_POW_32);
      if (tid > TWO_POW_32 && !this.records.has(tid)) return tid;
    }
  }

  /** Oldest finished results go first; a pending call is never forgotten. */
  private evictFinished(): void {
    for (const [tid, record] of this.records) {
      if (this.records.size <= MAX_KEPT_RESULTS) return;
      if (record.reply !== undefined) this.records.delete(tid);
    }
  }
}
