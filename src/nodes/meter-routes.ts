/**
 * Admin routes behind the editor's "test connection" button and device/register pickers.
 *
 * Two kinds, so the permission a route needs says what it can reach:
 * - `devices`, `registers` (read permission): a deployed meter named by `id`, with that meter's
 *   own address, TLS, verify setting and credentials. A body that also names an address,
 *   user, password, TLS or verify setting is refused with 403 before anything is sent.
 * - `test`, `draft/devices`, `draft/registers` (write permission): the dialog's own fields, so
 *   they work before the first deploy. The stored password is used only when the fields match
 *   the deployed meter exactly; to reach anything else the password must be typed.
 * Neither kind sends the password or a token to the browser.
 */
import type { Request, Response } from 'express';
import { EgaugeClient, normalizeMeterUrl } from '../webapi';
import { InputError, toEgaugeError, type EgaugeError, type ErrorCode } from '../errors';
import { hasRelay, isPrm3, summarizeDevice } from '../prm3/device';
import { clientOptions, type MeterConnection } from './meter-connection';
import { findMeterNode, METER_TYPE, tlsMaterial } from './egauge-meter-lookup';
import { resolveEnvText } from './env-text';
import { PASSWORD_PLACEHOLDER, readMeterSettings } from './egauge-meter/settings';
import { registerUnit } from './register-units';
import type { NodeAPI } from './red';

/** Fields that say where a request goes and as whom: only write routes take them. */
const TARGET_FIELDS = ['url', 'username', 'password', 'tls', 'verify'] as const;

/** Why a read route refused a body that names a target. */
export const TARGET_REFUSED =
  'a meter is chosen here by its id only: its address, username, password, TLS and verify settings always come from the deployed meter';

/**
 * What the editor hears when a typed address fails: a fixed text per code, never the other
 * side's words, so these routes cannot be used to read what some host answers.
 */
const TYPED_TARGET_ERRORS: Partial<Record<ErrorCode, string>> = {
  AUTH: 'the meter refused the username or password',
  PERMISSION: 'this meter user lacks a right the request needs',
  NETWORK: 'cannot reach a meter at this address (refused, unknown host, or the secure connection failed)',
  TIMEOUT: 'no answer from this address in time',
  PROTOCOL: 'this address did not answer as an eGauge meter does',
  CALL: 'the meter reported an error',
  ABORTED: 'the request was cancelled',
};

interface DraftBody {
  id?: string;
  url?: string;
  username?: string;
  password?: string;
  tls?: string;
  verify?: boolean;
  timeout?: number | string;
  filter?: string;
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError('body', 'expected a JSON object');
  return value as Record<string, unknown>;
}

function readDraftBody(value: unknown): DraftBody {
  const raw = record(value);
  const body: DraftBody = {};
  for (const key of ['id', 'url', 'username', 'password', 'tls', 'filter'] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new InputError(key, `"${key}" must be a string`);
    body[key] = v;
  }
  const verify = raw['verify'];
  if (verify !== undefined && verify !== null) {
    if (typeof verify !== 'boolean') throw new InputError('verify', '"verify" must be true or false');
    body.verify = verify;
  }
  if (typeof raw['timeout'] === 'number' || typeof raw['timeout'] === 'string') body.timeout = raw['timeout'];
  return body;
}

/** A read route's body: `id` and `filter`, nothing that could point the stored login elsewhere. */
function readIdBody(value: unknown): { id: string; filter?: string } | 'target-named' {
  const raw = record(value);
  if (TARGET_FIELDS.some((key) => Object.prototype.hasOwnProperty.call(raw, key))) return 'target-named';
  const id = raw['id'];
  if (typeof id !== 'string' || id === '') throw new InputError('id', '"id" must name a deployed meter');
  const filter = raw['filter'];
  if (filter !== undefined && typeof filter !== 'string') throw new InputError('filter', '"filter" must be a string');
  return filter === undefined ? { id } : { id, filter };
}

function deployedConnection(RED: NodeAPI, id: string): MeterConnection {
  const node = findMeterNode(RED, id);
  if (!node) throw new InputError('id', 'no deployed meter has this id: deploy the meter first');
  if (!node.connection) throw new InputError('id', 'the deployed meter has invalid settings: fix them and deploy');
  return node.connection;
}

/** The deployed meter's field that differs from the dialog's, if any. */
function differingField(
  target: MeterConnection['target'],
  body: DraftBody,
  url: string | undefined,
  username: string | undefined,
): string | undefined {
  if (url !== undefined && url !== target.url) return 'address';
  if (username !== undefined && username !== target.username) return 'username';
  if (body.tls !== undefined && body.tls !== target.tls) return 'TLS configuration';
  if (body.verify !== undefined && body.verify !== target.verify) return 'certificate verification';
  return undefined;
}

type Lease = { client: EgaugeClient; temporary: boolean };

/**
 * The client for a write route: the deployed one when the dialog matches it and the password
 * was left as stored; a short-lived one from the typed fields when a password was typed.
 */
function draftClient(RED: NodeAPI, body: DraftBody): Lease {
  const url = body.url === undefined ? undefined : normalizeMeterUrl(resolveEnvText(RED, body.url, 'url'));
  const username = body.username === undefined ? undefined : resolveEnvText(RED, body.username, 'username').trim();
  const typedPassword =
    body.password !== undefined && body.password !== PASSWORD_PLACEHOLDER
      ? resolveEnvText(RED, body.password, 'password')
      : undefined;
  if (typedPassword === undefined) {
    const deployed = body.id === undefined || body.id === '' ? undefined : findMeterNode(RED, body.id)?.connection;
    if (!deployed)
      throw new InputError(
        'password',
        'type the password: no deployed meter with a stored password matches this dialog',
      );
    const differs = differingField(deployed.target, body, url, username);
    if (differs !== undefined) {
      throw new InputError(
        'password',
        `the stored password is used only with the deployed meter's own settings, and the ${differs} differs: type the password to test these settings`,
      );
    }
    return { client: deployed.client, temporary: false };
  }
  if (url === undefined) throw new InputError('url', 'the meter URL is not set');
  const settings = readMeterSettings(
    { url, verify: body.verify, timeout: body.timeout, callTimeout: 15 },
    { username, password: typedPassword },
  );
  return { client: new EgaugeClient(clientOptions(settings, tlsMaterial(RED, body.tls))), temporary: true };
}

type Handler = (client: EgaugeClient, filter: string | undefined, username: string) => Promise<Record<string, unknown>>;

function failure(error: EgaugeError, typed: boolean): Record<string, unknown> {
  // Input errors describe what was typed, not what a host answered.
  const text =
    typed && error.code !== 'INPUT' ? (TYPED_TARGET_ERRORS[error.code] ?? 'the request failed') : error.message;
  return { ok: false, code: error.code, error: text };
}

async function answer(
  res: Response,
  lease: () => Lease,
  username: (client: Lease) => string,
  filter: string | undefined,
  handler: Handler,
): Promise<void> {
  let held: Lease | undefined;
  let reply: Record<string, unknown>;
  try {
    held = lease();
    reply = { ok: true, ...(await handler(held.client, filter, username(held))) };
  } catch (thrown) {
    reply = failure(toEgaugeError(thrown), held?.temporary === true);
  }
  // A temporary login is given back before answering, so the dialog never leaves one behind.
  if (held?.temporary) await held.client.close().catch(() => undefined);
  res.json(reply);
}

/** A write route: the dialog's fields. */
function draftRoute(RED: NodeAPI, handler: Handler) {
  return (req: Request, res: Response): void => {
    let body: DraftBody;
    try {
      body = readDraftBody(req.body);
    } catch (thrown) {
      res.json(failure(toEgaugeError(thrown), false));
      return;
    }
    const lease = (): Lease => draftClient(RED, body);
    const user = (held: Lease): string =>
      held.temporary ? (body.username ?? '').trim() : (findMeterNode(RED, body.id)?.connection?.target.username ?? '');
    void answer(res, lease, user, body.filter, handler);
  };
}

/** A read route: a deployed meter by id, nothing else. */
function idRoute(RED: NodeAPI, handler: Handler) {
  return (req: Request, res: Response): void => {
    let body: ReturnType<typeof readIdBody>;
    try {
      body = readIdBody(req.body);
    } catch (thrown) {
      res.json(failure(toEgaugeError(thrown), false));
      return;
    }
    if (body === 'target-named') {
      res.status(403).json({ ok: false, code: 'PERMISSION', error: TARGET_REFUSED });
      return;
    }
    const { id } = body;
    const lease = (): Lease => ({ client: deployedConnection(RED, id).client, temporary: false });
    void answer(res, lease, () => deployedConnection(RED, id).target.username, body.filter, handler);
  };
}

const testConnection: Handler = async (client, _filter, username) => {
  const rights = await client.rights();
  const ctrl = rights.rights.includes('ctrl');
  const devices = ctrl ? (await client.devices()).filter(isPrm3).map(summarizeDevice) : [];
  // The name the login used: the other side's own `usr` text is not echoed.
  return { user: username, rights: rights.rights, ctrl, devices };
};

const listDevices: Handler = async (client, filter) => {
  const keep = filter === 'all' ? () => true : filter === 'relay' ? hasRelay : isPrm3;
  return { devices: (await client.devices()).filter(keep).map(summarizeDevice) };
};

const listRegisters: Handler = async (client) => {
  const snapshot = await client.registers({ rates: false });
  return { registers: snapshot.registers.map((r) => ({ name: r.name, type: r.type, unit: registerUnit(r.type) })) };
};

export function registerMeterRoutes(RED: NodeAPI): void {
  const base = `/${METER_TYPE}`;
  const read = RED.auth.needsPermission(`${METER_TYPE}.read`);
  const write = RED.auth.needsPermission(`${METER_TYPE}.write`);
  RED.httpAdmin.post(`${base}/test`, write, draftRoute(RED, testConnection));
  RED.httpAdmin.post(`${base}/draft/devices`, write, draftRoute(RED, listDevices));
  RED.httpAdmin.post(`${base}/draft/registers`, write, draftRoute(RED, listRegisters));
  RED.httpAdmin.post(`${base}/devices`, read, idRoute(RED, listDevices));
  RED.httpAdmin.post(`${base}/registers`, read, idRoute(RED, listRegisters));
}
