/**
 * Type guards and readers for every JSON shape the meter sends. Nothing from the network is
 * used before it passed through here. Readers take a `fail` callback so the caller decides
 * which error (with which meter and operation) a bad shape becomes.
 */
import type {
  ControlDevice,
  InterfaceMap,
  InterfaceMethod,
  RegisterReading,
  RegisterSnapshot,
  UserRights,
} from './types';

export type Fail = (problem: string) => never;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function stringsOnly(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A number, or a decimal string such as `"1678330813.000129799"`. */
function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** The `error` text of a reply, if it has one. Every meter failure is HTTP 200 with `error`. */
export function errorText(body: unknown): string | undefined {
  return isRecord(body) && typeof body['error'] === 'string' ? body['error'] : undefined;
}

export interface Challenge {
  rlm: string;
  nnc: string;
}

/** Realm and server nonce from a 401 body (every protected resource sends one). */
export function readChallenge(body: unknown): Challenge | undefined {
  if (!isRecord(body)) return undefined;
  const { rlm, nnc } = body;
  return typeof rlm === 'string' && typeof nnc === 'string' && nnc !== '' ? { rlm, nnc } : undefined;
}

export type LoginReply = { kind: 'token'; jwt: string } | { kind: 'refused'; text: string };

/** `POST /auth/login` answers 200 with `{jwt}`, or 200 with `{error}` for refused credentials. */
export function readLoginReply(body: unknown, fail: Fail): LoginReply {
  if (!isRecord(body)) return fail('the login reply is not a JSON object');
  const jwt = body['jwt'];
  if (typeof jwt === 'string' && jwt !== '') return { kind: 'token', jwt };
  const text = errorText(body);
  if (text !== undefined) return { kind: 'refused', text };
  return fail('the login reply has neither a token nor an error');
}

export function readRights(body: unknown, fail: Fail): UserRights {
  if (!isRecord(body)) return fail('the reply is not a JSON object');
  const { usr, rights } = body;
  if (typeof usr !== 'string') return fail('`usr` is not a string');
  if (!isStringArray(rights)) return fail('`rights` is not a list of strings');
  return { usr, rights: [...rights] };
}

/** The `result` member of a successful reply; a reply with `error` is handled before this. */
export function readResult(body: unknown, fail: Fail): unknown {
  if (!isRecord(body)) return fail('the reply is not a JSON object');
  if (!('result' in body)) return fail('the reply has no `result`');
  return body['result'];
}

const KNOWN_DEVICE_STRINGS = ['mfg', 'model', 'sn', 'prot', 'link', 'quality', 'name'] as const;

/** One device record, or undefined when it lacks the `path` that identifies it. */
export function readDevice(value: unknown): ControlDevice | undefined {
  if (!isRecord(value) || !isStringArray(value['path'])) return undefined;
  const device: ControlDevice = { path: [...value['path']], interface: stringsOnly(value['interface']), extra: {} };
  for (const name of KNOWN_DEVICE_STRINGS) {
    const attribute = value[name];
    if (typeof attribute === 'string') device[name] = attribute;
  }
  const known = new Set<string>(['path', 'interface', ...KNOWN_DEVICE_STRINGS]);
  for (const [name, attribute] of Object.entries(value)) {
    if (!known.has(name) && typeof attribute === 'string') device.extra[name] = attribute;
  }
  return device;
}

/** `GET /ctrl/device` result; entries without a path are reported through `skipped`. */
export function readDevices(result: unknown, fail: Fail, skipped: (count: number) => void): ControlDevice[] {
  if (!Array.isArray(result)) return fail('`result` is not a list of devices');
  const devices = result.map(readDevice).filter((device): device is ControlDevice => device !== undefined);
  if (devices.length !== result.length) skipped(result.length - devices.length);
  return devices;
}

function readMethod(value: unknown): InterfaceMethod | undefined {
  if (!isRecord(value) || typeof value['name'] !== 'string' || value['name'] === '') return undefined;
  const text = (key: string): string => {
    const member = value[key];
    return typeof member === 'string' ? member : '';
  };
  return {
    name: value['name'],
    in: text('in'),
    in_names: stringsOnly(value['in_names']),
    out: text('out'),
    doc: text('doc'),
  };
}

/** `GET /ctrl/interface` result: `{<if>: {method: [...]}}`. Nameless methods are dropped. */
export function readInterfaces(result: unknown, fail: Fail): InterfaceMap {
  if (!isRecord(result)) return fail('`result` is not an object of interfaces');
  const map: InterfaceMap = {};
  for (const [name, entry] of Object.entries(result)) {
    if (!isRecord(entry)) return fail(`interface "${name}" is not an object`);
    const methods = entry['method'];
    map[name] = Array.isArray(methods)
      ? methods.map(readMethod).filter((method): method is InterfaceMethod => method !== undefined)
      : [];
  }
  return map;
}

/** `POST /ctrl/call` result `{tid}`: tids go beyond 32 bits but stay safe integers. */
export function readTid(result: unknown, fail: Fail): number {
  if (!isRecord(result)) return fail('`result` is not an object with a `tid`');
  const tid = result['tid'];
  if (typeof tid !== 'number' || !Number.isSafeInteger(tid) || tid < 0)
    return fail('`result.tid` is not a non-negative integer');
  return tid;
}

export type CallReply = { kind: 'pending' } | { kind: 'done'; result: unknown } | { kind: 'failed'; text: string };

/** `GET /ctrl/call/{tid}`: `EAGAIN:` means still running; no `result` means a void method. */
export function readCallReply(body: unknown, fail: Fail): CallReply {
  if (!isRecord(body)) return fail('the reply is not a JSON object');
  const text = errorText(body);
  if (text !== undefined) return text.startsWith('EAGAIN:') ? { kind: 'pending' } : { kind: 'failed', text };
  if ('error' in body) return fail('`error` is not a string');
  return { kind: 'done', result: body['result'] };
}

function readRegister(value: unknown): RegisterReading | undefined {
  if (!isRecord(value)) return undefined;
  const { name, type, idx } = value;
  if (typeof name !== 'string' || typeof type !== 'string') return undefined;
  if (typeof idx !== 'number' || !Number.isSafeInteger(idx) || idx < 0) return undefined;
  const reading: RegisterReading = { name, type, idx };
  if (typeof value['did'] === 'number' && Number.isSafeInteger(value['did'])) reading.did = value['did'];
  const rate = readNumber(value['rate']);
  if (rate !== undefined) reading.rate = rate;
  return reading;
}

/** `GET /register`: `ts` is a decimal string; registers without name, type or idx are dropped. */
export function readRegisters(body: unknown, fail: Fail, skipped: (count: number) => void): RegisterSnapshot {
  if (!isRecord(body)) return fail('the reply is not a JSON object');
  const ts = readNumber(body['ts']);
  if (ts === undefined) return fail('`ts` is not a decimal time');
  const list = body['registers'] ?? [];
  if (!Array.isArray(list)) return fail('`registers` is not a list');
  const registers = list.map(readRegister).filter((reading): reading is RegisterReading => reading !== undefined);
  if (registers.length !== list.length) skipped(list.length - registers.length);
  return { ts, registers };
}
