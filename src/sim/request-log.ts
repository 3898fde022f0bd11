/** Every request the simulator answered, in arrival order, plus login counters. */
import { isRecord, isUnknownArray } from './json-guards';
import type { SimLogEntry } from './types';

/** Past this many entries the oldest LOG_TRIM go at once, so a benchmark cannot exhaust memory. */
const MAX_LOG_ENTRIES = 500_000;
const LOG_TRIM = 50_000;
const CTRL_CALL_PATH = '/api/ctrl/call';

export class RequestLog {
  readonly entries: SimLogEntry[] = [];
  private nextSeq = 1;
  private succeededLogins = 0;
  private refusedLogins = 0;

  record(entry: Omit<SimLogEntry, 'seq'>): void {
    const logged: SimLogEntry = { seq: this.nextSeq, ...entry };
    this.nextSeq += 1;
    if (entry.method === 'POST' && entry.path === CTRL_CALL_PATH) addCallDetails(logged, entry.body);
    if (this.entries.length >= MAX_LOG_ENTRIES) this.entries.splice(0, LOG_TRIM);
    this.entries.push(logged);
  }

  clear(): void {
    this.entries.length = 0;
  }

  countLogin(succeeded: boolean): void {
    if (succeeded) this.succeededLogins += 1;
    else this.refusedLogins += 1;
  }

  get logins(): number {
    return this.succeededLogins;
  }

  get failedLogins(): number {
    return this.refusedLogins;
  }

  ctrlCalls(method?: string): SimLogEntry[] {
    return this.entries.filter(
      (entry) =>
        entry.method === 'POST' &&
        entry.path === CTRL_CALL_PATH &&
        (method === undefined || entry.ctrlMethod === method),
    );
  }
}

/** The method, args and attrs a control call asked for, when the body carried them. */
function addCallDetails(entry: SimLogEntry, body: unknown): void {
  if (!isRecord(body)) return;
  const { method, args, attrs } = body;
  if (typeof method === 'string') entry.ctrlMethod = method;
  if (isUnknownArray(args)) entry.args = args;
  if (isRecord(attrs)) entry.attrs = attrs;
}
