/** Public surface of the eGauge WebAPI client. */
export { EgaugeClient, type ClientOptions, type QueuedWork } from './client';
export * from './errors';
export * from './types';
export { normalizeMeterUrl } from './url';
export { digestHash, newClientNonce } from './digest';
export { readTokenTimes, tokenExpiry, type TokenTimes } from './jwt';
export { deviceKey, DeviceQueue, type EnqueueOptions, type QueueRefusals } from './device-queue';
export { PollPlanner, PollRun, DEFAULT_POLL_TUNING, type Bracket, type PollTuning } from './poll';
export type { TlsOptions } from './http';
