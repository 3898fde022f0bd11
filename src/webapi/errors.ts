/** Errors the client raises while talking to a meter; the shared base and codes are in ../errors. */
import { EgaugeError, type ErrorContext } from '../errors';

export class AuthError extends EgaugeError {
  constructor(message: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('AUTH', message, context, options);
  }
}
export class PermissionError extends EgaugeError {
  constructor(message: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('PERMISSION', message, context, options);
  }
}
export class NetworkError extends EgaugeError {
  constructor(message: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('NETWORK', message, context, options);
  }
}
export class TimeoutError extends EgaugeError {
  constructor(message: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('TIMEOUT', message, context, options);
  }
}
export class ProtocolError extends EgaugeError {
  constructor(message: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('PROTOCOL', message, context, options);
  }
}
/** The meter reported an error for a control call; `meterText` is its own words, redacted as the message quotes them. */
export class CallError extends EgaugeError {
  readonly meterText: string;
  constructor(message: string, meterText: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('CALL', message, context, options);
    this.meterText = meterText;
  }
}
export class QueueFullError extends EgaugeError {
  constructor(message: string, context?: ErrorContext) {
    super('QUEUE_FULL', message, context);
  }
}
export class AbortedError extends EgaugeError {
  constructor(message: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('ABORTED', message, context, options);
  }
}
