/** Public shape of the meter simulator: what tests, the benchmark and the demo rely on. */

export interface SimUser {
  username: string;
  password: string;
  /** e.g. ['view', 'ctrl', 'save']; without 'ctrl' the meter refuses /ctrl/call. */
  rights: string[];
}

export interface SimPrm3Options {
  sn: string;
  /** USB port the module sits on; default `USB<n>` in order of creation. */
  port?: string;
  /** Initial relay mask, default 0 (all open). */
  mask?: number;
  /** Minimum open / close durations in seconds; default SimulatorOptions.minDurationS; 0 disables. */
  minOpenS?: number;
  minCloseS?: number;
  /** Watts drawn by the load on relays 1..3 while closed (feeds the Grid register). */
  loadsW?: [number, number, number];
  /** Device latency for this module, overriding SimulatorOptions.deviceLatencyMs. */
  latencyMs?: number;
}

export interface SimulatorOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 0 (ephemeral)
  /** Serve https with this certificate and key. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Default: one user `owner` / `default` with rights view, ctrl, save. */
  users?: SimUser[];
  realm?: string; // default 'eGauge Administration'
  tokenLifetimeS?: number; // default 600
  nonceLifetimeS?: number; // default 60
  /** How long one control call takes on a device; default 0. */
  deviceLatencyMs?: number;
  /** Default: one PRM3 `00000004` on USB1. */
  prm3s?: SimPrm3Options[];
  /** Default minimum open/close duration of every PRM3 in seconds; default 10. */
  minDurationS?: number;
  /** Grid power with every relay open, watts; default 1200. */
  baseLoadW?: number;
  /** Makes the base load rise and fall like a household's (a sine wave), so load shedding has something to do. */
  baseLoadSwing?: { amplitudeW: number; periodS: number };
  /** Milliseconds clock used for tokens, nonces and minimum durations; default Date.now. */
  clock?: () => number;
}

export interface SimLogEntry {
  seq: number;
  time: number; // clock() when the request arrived
  method: string; // HTTP method
  path: string; // without query, e.g. /api/ctrl/call
  query: string; // raw query string without '?'
  status: number; // HTTP status sent
  authorized: boolean; // carried a valid bearer token
  /** Parsed JSON request body, if any. */
  body?: unknown;
  /** For POST /api/ctrl/call: the method, args and attrs asked for. */
  ctrlMethod?: string;
  args?: unknown[];
  attrs?: Record<string, unknown>;
}

export type SimGarbage = 'html502' | 'badjson' | 'empty' | 'oversized';

export interface SimFaults {
  /** Extra delay before every response, ms. */
  delayMs: number;
  /** Replace response bodies with garbage. */
  garbage: SimGarbage | null;
  /** Which request paths the garbage applies to; default every path. */
  garbagePaths: RegExp | null;
  /** Size of the 'oversized' body in bytes; default 20 MiB. */
  oversizedBytes: number;
  /** GET /ctrl/call/{tid} answers EAGAIN forever. */
  eagainForever: boolean;
  /**
   * Every request with a valid token is answered 200 `{"error": errorText}`, with `{token}` and
   * `{password}` in the text replaced by the request's token and its user's password: a meter
   * that repeats secrets in its error texts.
   */
  errorText: string | null;
}

/** One simulated PRM3 relay module. */
export interface SimPrm3 {
  readonly sn: string;
  readonly port: string;
  /** Current relay mask, bit 0 = relay 1. */
  readonly mask: number;
  minOpenS: number;
  minCloseS: number;
  latencyMs: number | undefined;
  readonly plugged: boolean;
  /** Modbus baud rate as set through SCPI. */
  readonly baud: number;
  /** Times each relay changed state. */
  readonly switchCounts: [number, number, number];
  /** Set the mask at once, ignoring minimum durations (test set-up). */
  setMaskDirect(mask: number): void;
}

export interface MeterSimulator {
  /** Base URL without /api, e.g. http://127.0.0.1:43123 */
  readonly url: string;
  readonly port: number;
  readonly log: readonly SimLogEntry[];
  readonly faults: SimFaults;
  clearLog(): void;
  /** POST /api/ctrl/call entries, optionally only those for one method (e.g. 'relay.set_mask'). */
  ctrlCalls(method?: string): SimLogEntry[];
  /** Successful logins so far. */
  logins(): number;
  /** Failed login attempts so far. */
  failedLogins(): number;
  device(snOrPort: string): SimPrm3;
  addPrm3(options: SimPrm3Options): SimPrm3;
  unplug(sn: string): void;
  replug(sn: string): void;
  /** Plug a module into another, free USB port (e.g. "USB3"); it keeps its serial number and relays. */
  movePrm3(sn: string, port: string): void;
  /** Swap the modules on two USB ports (one of them may be empty). */
  swapPorts(portA: string, portB: string): void;
  /** Run `action` right after the next `/ctrl/device` listing is answered, before any later request. */
  afterNextDeviceList(action: () => void): void;
  /** Change a register's rate (e.g. Solar production); Grid follows relays unless set here. */
  setRegister(name: string, rate: number): void;
  /** The household's unswitched load in W (a kettle, an oven); Grid = this + Solar + closed relays' loads. */
  setBaseLoad(watts: number): void;
  /** Add or replace a user. */
  setUser(user: SimUser): void;
  /** Every token issued so far stops working. */
  revokeTokens(): void;
  /** Destroy open connections (keep-alive sockets) without going offline. */
  dropConnections(): void;
  /** Tokens revoked and connections dropped, as when the meter restarts. */
  reboot(): Promise<void>;
  /** Offline: listener closed and sockets destroyed (connections refused); online: listens again on the same port. */
  setOffline(offline: boolean): Promise<void>;
  close(): Promise<void>;
}
