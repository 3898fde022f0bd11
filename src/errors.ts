/**
 * The package's error vocabulary, shared by every layer: the client (src/webapi), the PRM3
 * domain and the nodes all throw EgaugeErrors, and a flow sees their codes in `msg.egaugeError`.
 * Every message names the meter and the operation and never contains the password or a token:
 * callers may log or show `message` as it is.
 */

/** Every `code` an EgaugeError can have: what `msg.egaugeError.code` may be. */
export const ERROR_CODES = [
  'AUTH', // bad credentials, or logins held back after bad credentials
  'PERMISSION', // the user lacks a right the operation needs (usually `ctrl`)
  'NETWORK', // connection refused, reset, DNS, TLS
  'TIMEOUT', // request or call took longer than allowed
  'PROTOCOL', // the meter answered something that is not the documented shape
  'CALL', // the meter ran the call and reported an error
  'QUEUE_FULL', // too many calls waiting for one device
  'ABORTED', // the client was closed or the caller's signal fired
  'INPUT', // the caller's input was invalid; nothing was sent
  'DEVICE', // no device matches the selection
  'INTERNAL', // a fault of this package, not of the meter or the flow
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorContext {
  /** Normalised meter URL, e.g. `http://192.168.1.50/api`. */
  meter?: string;
  /** What was being done: `login`, `GET /ctrl/device`, `relay.set_mask`… */
  operation?: string;
  /** Device selection the operation was for (serial number, port or attrs). */
  device?: string;
  /** Whether the meter may have received and acted on the request. */
  maybeSent?: boolean;
}

/** What a flow gets in `msg.egaugeError`. */
export interface ErrorDetails {
  code: ErrorCode;
  message: string;
  meter?: string;
  device?: string;
  operation?: string;
  /** True when a command may have reached the meter: read the relays before sending it again. */
  maybeSent: boolean;
}

export class EgaugeError extends Error {
  readonly code: ErrorCode;
  readonly meter: string | undefined;
  readonly operation: string | undefined;
  readonly device: string | undefined;
  readonly maybeSent: boolean;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.meter = context.meter;
    this.operation = context.operation;
    this.device = context.device;
    this.maybeSent = context.maybeSent ?? false;
  }

  /** Node-RED's Catch path uses toString(): keep it the plain message, without the class name. */
  override toString(): string {
    return this.message;
  }

  /** Plain object for `msg.egaugeError`: safe to put in a message or a log. */
  toJSON(): ErrorDetails {
    const out: ErrorDetails = { code: this.code, message: this.message, maybeSent: this.maybeSent };
    if (this.meter !== undefined) out.meter = this.meter;
    if (this.device !== undefined) out.device = this.device;
    if (this.operation !== undefined) out.operation = this.operation;
    return out;
  }
}

/** The caller's input (a msg field, a setting, a client option) was invalid; nothing was sent. */
export class InputError extends EgaugeError {
  /** The msg or settings field that was wrong, e.g. `msg.payload`. */
  readonly field: string;
  constructor(field: string, message: string, context?: ErrorContext) {
    super('INPUT', message, context);
    this.field = field;
  }
}

/** Whatever was thrown, as an EgaugeError: unexpected throws are this package's own faults. */
export function toEgaugeError(value: unknown, context: ErrorContext = {}): EgaugeError {
  if (value instanceof EgaugeError) return value;
  const text = value instanceof Error ? value.message : String(value);
  return new EgaugeError('INTERNAL', `internal error: ${text}`, context, { cause: value });
}

export function isEgaugeError(value: unknown): value is EgaugeError {
  return value instanceof EgaugeError;
}
