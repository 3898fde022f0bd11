/**
 * One simulated PRM3: three relays as a mask (bit 0 = relay 1), minimum open/close times,
 * switch counters and the Modbus baud rate SCPI can change.
 */
import { isIntegerIn } from './json-guards';
import type { SimPrm3, SimPrm3Options } from './types';

export const RELAY_COUNT = 3;
export const ALL_RELAYS = 0b111;
export const DEFAULT_LOADS_W: [number, number, number] = [1500, 1500, 3000];
export const DEFAULT_BAUD = 19200;
export const FIRMWARE_VERSION = '1.2';
/** The PRM3 stores minimum durations in one byte. */
export const MAX_MIN_DURATION_S = 255;

export interface Prm3Defaults {
  minDurationS: number;
  clock: () => number;
}

function validOptions(options: SimPrm3Options): void {
  if (typeof options.sn !== 'string' || options.sn === '') throw new TypeError('a PRM3 needs a serial number');
  if (options.mask !== undefined && !isIntegerIn(options.mask, 0, ALL_RELAYS))
    throw new RangeError(`PRM3 ${options.sn}: mask must be 0..7`);
  for (const [name, value] of [
    ['minOpenS', options.minOpenS],
    ['minCloseS', options.minCloseS],
  ] as const) {
    if (value !== undefined && !isIntegerIn(value, 0, MAX_MIN_DURATION_S))
      throw new RangeError(`PRM3 ${options.sn}: ${name} must be 0..255`);
  }
  if (
    options.loadsW !== undefined &&
    !(options.loadsW.length === RELAY_COUNT && options.loadsW.every(Number.isFinite))
  ) {
    throw new RangeError(`PRM3 ${options.sn}: loadsW must be three finite numbers`);
  }
  if (options.latencyMs !== undefined && !(Number.isFinite(options.latencyMs) && options.latencyMs >= 0)) {
    throw new RangeError(`PRM3 ${options.sn}: latencyMs must be a non-negative number`);
  }
}

export class Prm3Module implements SimPrm3 {
  readonly sn: string;
  private usbPort: string;
  minOpenS: number;
  minCloseS: number;
  latencyMs: number | undefined;
  readonly loadsW: readonly [number, number, number];
  private relayMask: number;
  private isPlugged = true;
  private baudRate = DEFAULT_BAUD;
  private readonly counts: [number, number, number] = [0, 0, 0];
  /** When each relay last changed, by the simulator clock; undefined: never (no window applies). */
  private readonly changedAtMs: (number | undefined)[] = [undefined, undefined, undefined];
  private readonly clock: () => number;

  constructor(options: SimPrm3Options & { port: string }, defaults: Prm3Defaults) {
    validOptions(options);
    this.sn = options.sn;
    this.usbPort = options.port;
    this.relayMask = options.mask ?? 0;
    this.minOpenS = options.minOpenS ?? defaults.minDurationS;
    this.minCloseS = options.minCloseS ?? defaults.minDurationS;
    this.latencyMs = options.latencyMs;
    this.loadsW = options.loadsW ?? DEFAULT_LOADS_W;
    this.clock = defaults.clock;
  }

  get port(): string {
    return this.usbPort;
  }

  /** Plugged into another port: the module keeps its serial number, relays and counters. */
  moveTo(port: string): void {
    this.usbPort = port;
  }

  get mask(): number {
    return this.relayMask;
  }

  get plugged(): boolean {
    return this.isPlugged;
  }

  get baud(): number {
    return this.baudRate;
  }

  get switchCounts(): [number, number, number] {
    return [...this.counts];
  }

  setMaskDirect(mask: number): void {
    if (!isIntegerIn(mask, 0, ALL_RELAYS)) throw new RangeError(`PRM3 ${this.sn}: mask must be 0..7`);
    this.relayMask = mask;
  }

  setPlugged(plugged: boolean): void {
    this.isPlugged = plugged;
  }

  setBaud(baud: number): void {
    this.baudRate = baud;
  }

  /**
   * Moves every relay toward `target`. A relay inside its minimum open (or close) time keeps
   * its state while the others still move, as the hardware ignores such a command.
   */
  command(target: number): void {
    const now = this.clock();
    for (let relay = 0; relay < RELAY_COUNT; relay += 1) {
      const bit = 1 << relay;
      const closed = (this.relayMask & bit) !== 0;
      const wantClosed = (target & bit) !== 0;
      if (closed === wantClosed || this.held(relay, closed, now)) continue;
      this.relayMask ^= bit;
      this.changedAtMs[relay] = now;
      this.counts[relay] = (this.counts[relay] ?? 0) + 1;
    }
  }

  /** An open relay waits minOpenS before it may close; a closed one minCloseS before it may open. */
  private held(relay: number, closed: boolean, now: number): boolean {
    const changedAt = this.changedAtMs[relay];
    if (changedAt === undefined) return false;
    const minimumS = closed ? this.minCloseS : this.minOpenS;
    return minimumS > 0 && now - changedAt < minimumS * 1000;
  }
}
