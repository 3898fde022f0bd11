/** SimulatorOptions with defaults applied and checked: a bad set-up fails at start, clearly. */
import { isIntegerIn } from './json-guards';
import { MAX_MIN_DURATION_S } from './prm3-module';
import type { SimPrm3Options, SimulatorOptions, SimUser } from './types';
import { DEFAULT_USER } from './users';

export interface ResolvedOptions {
  host: string;
  port: number;
  tls: { cert: string | Buffer; key: string | Buffer } | undefined;
  users: SimUser[];
  realm: string;
  tokenLifetimeS: number;
  nonceLifetimeS: number;
  deviceLatencyMs: number;
  prm3s: SimPrm3Options[];
  minDurationS: number;
  baseLoadW: number;
  baseLoadSwing: { amplitudeW: number; periodS: number } | undefined;
  clock: () => number;
}

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`simulator option ${name} must be a positive number`);
  return value;
}

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const port = options.port ?? 0;
  if (!isIntegerIn(port, 0, 65535)) throw new RangeError('simulator option port must be an integer from 0 to 65535');
  const minDurationS = options.minDurationS ?? 10;
  if (!isIntegerIn(minDurationS, 0, MAX_MIN_DURATION_S))
    throw new RangeError('simulator option minDurationS must be an integer from 0 to 255');
  const deviceLatencyMs = options.deviceLatencyMs ?? 0;
  if (!(Number.isFinite(deviceLatencyMs) && deviceLatencyMs >= 0))
    throw new RangeError('simulator option deviceLatencyMs must be a non-negative number');
  const baseLoadW = options.baseLoadW ?? 1200;
  if (!Number.isFinite(baseLoadW)) throw new RangeError('simulator option baseLoadW must be a finite number');
  const swing = options.baseLoadSwing;
  if (
    swing !== undefined &&
    !(Number.isFinite(swing.amplitudeW) && Number.isFinite(swing.periodS) && swing.periodS > 0)
  ) {
    throw new RangeError('simulator option baseLoadSwing needs a finite amplitudeW and a positive periodS');
  }
  return {
    host: options.host ?? '127.0.0.1',
    port,
    tls: options.tls,
    users: options.users ?? [DEFAULT_USER],
    realm: options.realm ?? 'eGauge Administration',
    tokenLifetimeS: positive('tokenLifetimeS', options.tokenLifetimeS ?? 600),
    nonceLifetimeS: positive('nonceLifetimeS', options.nonceLifetimeS ?? 60),
    deviceLatencyMs,
    prm3s: options.prm3s ?? [{ sn: '00000004' }],
    minDurationS,
    baseLoadW,
    baseLoadSwing: swing,
    clock: options.clock ?? Date.now,
  };
}
