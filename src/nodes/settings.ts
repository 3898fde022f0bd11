/**
 * Editor settings arrive as loosely typed JSON from the flow file: each node validates its
 * own here, once at deploy, and gets a typed settings object or an InputError naming the field.
 */
import { InputError } from '../errors';
import { parseDeviceSelector, type DeviceSelector } from '../prm3/device';
import { parseRelaySet, type RelayGrouping } from '../prm3/mask';
import { envName, unresolvedEnv } from './env-text';
import { flag as flagSetting, oneOf as oneOfSetting, seconds as secondsSetting, text as textSetting } from './schema';

export interface MeterSettings {
  url: string;
  username: string;
  password: string;
  verify: boolean;
  requestTimeoutMs: number;
  callTimeoutMs: number;
}

/** Where a device node takes its device from: a fixed selector, or `msg.device`. */
export type DeviceSetting = { fromMsg: true } | { fromMsg: false; selector: DeviceSelector; text: string };

export interface MaskSettings {
  device: DeviceSetting;
  relaySet: number;
  /** From the "one load" checkbox; nodes saved before it existed get one-load, the safe side. */
  grouping: RelayGrouping;
  output: 'mask' | 'boolean';
  pollMs: number;
  pollOutput: 'change' | 'always';
  mode: 'queue' | 'latest';
}

export interface ScpiSettings {
  device: DeviceSetting;
  command: string;
}

export interface RegisterSettings {
  registers: string[];
  intervalMs: number;
  onDeploy: boolean;
}

type Raw = Record<string, unknown>;

const text = (raw: Raw, key: string): string => textSetting().read(raw[key], key);
const flag = (raw: Raw, key: string, fallback: boolean): boolean => flagSetting(fallback).read(raw[key], key);
const seconds = (raw: Raw, key: string, value: number, min: number, max: number, off = false): number =>
  secondsSetting({ value, min, max, off }).read(raw[key], key);
const oneOf = <T extends string>(raw: Raw, key: string, allowed: readonly T[], fallback: T): T =>
  oneOfSetting(allowed, fallback).read(raw[key], key);

export function readDeviceSetting(raw: Raw): DeviceSetting {
  const value = text(raw, 'device');
  if (value === 'msg') return { fromMsg: true };
  return { fromMsg: false, selector: parseDeviceSelector(value, 'device'), text: value === '' ? 'first PRM3' : value };
}

/** Node-RED has already put environment variables in place; a `${NAME}` still there names one that is not set. */
function resolved(field: string, value: string): string {
  const name = envName(value);
  if (name !== undefined) throw unresolvedEnv(field, name);
  return value;
}

export function readMeterSettings(raw: Raw, credentials: { username?: unknown; password?: unknown }): MeterSettings {
  const url = resolved('url', text(raw, 'url'));
  if (url === '') throw new InputError('url', 'the meter URL is not set');
  const username = resolved('username', typeof credentials.username === 'string' ? credentials.username.trim() : '');
  const password = resolved('password', typeof credentials.password === 'string' ? credentials.password : '');
  if (username === '') {
    throw new InputError(
      'username',
      'the meter username is not set: open the meter node and type a meter user and its password (for egauge-sim: owner and the password it prints)',
    );
  }
  return {
    url,
    username,
    password,
    verify: flag(raw, 'verify', true),
    requestTimeoutMs: seconds(raw, 'timeout', 10, 1, 120),
    callTimeoutMs: seconds(raw, 'callTimeout', 30, 1, 600),
  };
}

export function readMaskSettings(raw: Raw): MaskSettings {
  const relays = raw['relays'];
  return {
    device: readDeviceSetting(raw),
    relaySet: relays === undefined || relays === '' ? 7 : parseRelaySet(relays, 'relays'),
    grouping: flag(raw, 'oneLoad', true) ? 'one-load' : 'independent',
    output: oneOf(raw, 'output', ['mask', 'boolean'] as const, 'mask'),
    pollMs: seconds(raw, 'poll', 0, 1, 86400, true),
    pollOutput: oneOf(raw, 'pollOutput', ['change', 'always'] as const, 'change'),
    mode: oneOf(raw, 'mode', ['queue', 'latest'] as const, 'queue'),
  };
}

export function readScpiSettings(raw: Raw): ScpiSettings {
  return { device: readDeviceSetting(raw), command: text(raw, 'command') };
}

export function readRegisterSettings(raw: Raw): RegisterSettings {
  const value = raw['registers'];
  let registers: string[];
  if (value === undefined || value === null || value === '') registers = [];
  else if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) {
    registers = value.map((v) => v.trim()).filter((v) => v !== '');
  } else if (typeof value === 'string') {
    registers = value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  } else {
    throw new InputError('registers', 'setting "registers" must be a list of register names');
  }
  return {
    registers,
    intervalMs: seconds(raw, 'interval', 0, 1, 86400, true),
    onDeploy: flag(raw, 'onDeploy', false),
  };
}
