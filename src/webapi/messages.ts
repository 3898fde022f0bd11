/** Wording shared by the client's parts: every message names the operation and the meter. */
import type { ErrorContext } from '../errors';
import { CallError, ProtocolError } from './errors';
import type { Quote } from './redact';
import type { Fail } from './validate';

function target(device: string | undefined): string {
  return device === undefined ? '' : ` for ${device}`;
}

/** `relay.set_mask for sn 00000004 on http://…/api` */
export function where(meterUrl: string, operation: string, device?: string): string {
  return `${operation}${target(device)} on ${meterUrl}`;
}

export function errorContext(meterUrl: string, operation: string, device?: string, maybeSent?: boolean): ErrorContext {
  const context: ErrorContext = { meter: meterUrl, operation };
  if (device !== undefined) context.device = device;
  if (maybeSent !== undefined) context.maybeSent = maybeSent;
  return context;
}

/** The meter answered 200 with `error`: its own words, quoted safely, in the message and on the error alike. */
export function meterError(
  quote: Quote,
  meterUrl: string,
  operation: string,
  text: string,
  device?: string,
  maybeSent?: boolean,
): CallError {
  const quoted = quote(text);
  return new CallError(
    `${where(meterUrl, operation, device)} failed: the meter said "${quoted}"`,
    quoted,
    errorContext(meterUrl, operation, device, maybeSent),
  );
}

/** A reader's complaint about a reply's shape, as ProtocolError. */
export function protocolFail(meterUrl: string, operation: string, device?: string): Fail {
  return (problem) => {
    throw new ProtocolError(
      `${where(meterUrl, operation, device)}: ${problem}`,
      errorContext(meterUrl, operation, device),
    );
  };
}
