/** Shapes the meter sends and the client returns, after validation. */

/**
 * Device attributes used to address a control call or filter `/ctrl/device`.
 * `path` and `interface` are string arrays in device records; in a selection `interface`
 * is one interface name. `index` picks the n-th match (meter default 0).
 */
export interface DeviceAttrs {
  path?: string[];
  index?: number;
  sn?: string;
  mfg?: string;
  model?: string;
  name?: string;
  prot?: string;
  link?: string;
  interface?: string;
}

/** One entry of `GET /ctrl/device`, validated. Unknown extra attributes are kept in `extra`. */
export interface ControlDevice {
  path: string[];
  mfg?: string;
  model?: string;
  sn?: string;
  prot?: string;
  link?: string;
  quality?: string;
  name?: string;
  interface: string[];
  extra: Record<string, string>;
}

/** One method of a control interface (`GET /ctrl/interface`). */
export interface InterfaceMethod {
  name: string;
  in: string;
  in_names: string[];
  out: string;
  doc: string;
}

/** `GET /ctrl/interface` result: interface name → its methods. */
export type InterfaceMap = Record<string, InterfaceMethod[]>;

/** `GET /auth/rights`. */
export interface UserRights {
  usr: string;
  rights: string[];
}

/** One register with its current rate (`GET /register?rate`). */
export interface RegisterReading {
  name: string;
  type: string;
  idx: number;
  did?: number;
  rate?: number;
}

export interface RegisterSnapshot {
  /** Meter time, seconds since the epoch (parsed from the decimal string `ts`). */
  ts: number;
  registers: RegisterReading[];
}

/** Connection state the client reports to whoever shows status. */
export type ClientState = 'idle' | 'connecting' | 'ready' | 'auth-failed' | 'unreachable' | 'closed';

export interface CallOptions {
  /** Overall limit for the call including its polls (default: the client's callTimeoutMs). */
  timeoutMs?: number;
  /** Cancels the call; rejects with AbortedError. */
  signal?: AbortSignal;
}

/** Calls on one device while holding its queue slot (see EgaugeClient.withDevice). */
export type DeviceCaller = (method: string, args: unknown[], options?: CallOptions) => Promise<unknown>;
