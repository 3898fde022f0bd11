/**
 * The eGauge WebAPI client's public surface: the only way into src/webapi from outside it.
 * Its errors share the base class and codes of ../errors.
 */
export { EgaugeClient, type ClientOptions } from './client';
export {
  AbortedError,
  AuthError,
  CallError,
  NetworkError,
  PermissionError,
  ProtocolError,
  QueueFullError,
  TimeoutError,
} from './errors';
export * from './types';
export { normalizeMeterUrl } from './url';
export { checkAttrs } from './input';
export { raceAbort } from './signals';
// The login hash, for tools that speak the WebAPI without the client (the bench's floor).
export { digestHash, newClientNonce } from './digest';
