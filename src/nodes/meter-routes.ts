/**
 * Admin routes behind the editor's "test connection" button and device/register pickers.
 * They work before the first deploy (URL and credentials from the open dialog), fall back to
 * the stored password when the dialog still shows its placeholder, and never send the
 * password or a token to the browser.
 */
import type { Request, Response } from 'express';
import { EgaugeClient } from '../webapi/client';
import { InputError, toEgaugeError } from '../webapi/errors';
import { normalizeMeterUrl } from '../webapi/url';
import { hasRelay, isPrm3, summarizeDevice } from '../prm3/device';
import { clientOptions } from './meter-connection';
import { findMeterNode, METER_TYPE, tlsMaterial } from './egauge-meter-lookup';
import { readMeterSettings } from './settings';
import { registerUnit } from './register-units';
import type { NodeAPI } from './red';

/** What the editor shows in a password field it did not change. */
const PASSWORD_PLACEHOLDER = '__PWRD__';

interface RouteBody {
  id?: string;
  url?: string;
  username?: string;
  password?: string;
  tls?: string;
  verify?: boolean;
  timeout?: number | string;
  filter?: string;
}

function readBody(value: unknown): RouteBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('body', 'expected a JSON object');
  const raw = value as Record<string, unknown>;
  const body: RouteBody = {};
  for (const key of ['id', 'url', 'username', 'password', 'tls', 'filter'] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new InputError(key, `"${key}" must be a string`);
    body[key] = v;
  }
  if (typeof raw['verify'] === 'boolean') body.verify = raw['verify'];
  if (typeof raw['timeout'] === 'number' || typeof raw['timeout'] === 'string') body.timeout = raw['timeout'];
  return body;
}

function storedCredentials(RED: NodeAPI, id: string | undefined): { username?: string; password?: string } {
  if (!id) return {};
  const creds: unknown = RED.nodes.getCredentials(id);
  if (typeof creds !== 'object' || creds === null) return {};
  const { username, password } = creds as { username?: unknown; password?: unknown };
  const out: { username?: string; password?: string } = {};
  if (typeof username === 'string') out.username = username;
  if (typeof password === 'string') out.password = password;
  return out;
}

/** The deployed meter's client when the dialog matches it; otherwise a short-lived one. */
function clientFor(RED: NodeAPI, body: RouteBody): { client: EgaugeClient; temporary: boolean } {
  const stored = storedCredentials(RED, body.id);
  const typedPassword = body.password !== undefined && body.password !== PASSWORD_PLACEHOLDER ? body.password : undefined;
  const deployed = findMeterNode(RED, body.id)?.connection;
  if (deployed) {
    const sameUrl = body.url === undefined || body.url.trim() === '' || normalizeMeterUrl(body.url) === deployed.url;
    const sameUser = body.username === undefined || body.username.trim() === stored.username;
    if (sameUrl && sameUser && typedPassword === undefined) return { client: deployed.client, temporary: false };
  }
  const settings = readMeterSettings(
    { url: body.url, verify: body.verify, timeout: body.timeout, callTimeout: 15 },
    { username: body.username ?? stored.username, password: typedPassword ?? stored.password ?? '' },
  );
  return { client: new EgaugeClient(clientOptions(settings, tlsMaterial(RED, body.tls))), temporary: true };
}

type Handler = (client: EgaugeClient, body: RouteBody) => Promise<Record<string, unknown>>;

function route(RED: NodeAPI, handler: Handler) {
  return (req: Request, res: Response): void => {
    void (async () => {
      let lease: { client: EgaugeClient; temporary: boolean } | undefined;
      let reply: Record<string, unknown>;
      try {
        const body = readBody(req.body);
        lease = clientFor(RED, body);
        reply = { ok: true, ...(await handler(lease.client, body)) };
      } catch (thrown) {
        const error = toEgaugeError(thrown);
        reply = { ok: false, code: error.code, error: error.message };
      }
      // A temporary login is given back before answering, so the dialog never leaves one behind.
      if (lease?.temporary) await lease.client.close().catch(() => undefined);
      res.json(reply);
    })();
  };
}

export function registerMeterRoutes(RED: NodeAPI): void {
  const base = `/${METER_TYPE}`;
  RED.httpAdmin.post(
    `${base}/test`,
    RED.auth.needsPermission(`${METER_TYPE}.write`),
    route(RED, async (client) => {
      const rights = await client.rights();
      const ctrl = rights.rights.includes('ctrl');
      const devices = ctrl ? (await client.devices()).filter(isPrm3).map(summarizeDevice) : [];
      return { user: rights.usr, rights: rights.rights, ctrl, devices };
    }),
  );
  RED.httpAdmin.post(
    `${base}/devices`,
    RED.auth.needsPermission(`${METER_TYPE}.read`),
    route(RED, async (client, body) => {
      const filter = body.filter === 'all' ? () => true : body.filter === 'relay' ? hasRelay : isPrm3;
      return { devices: (await client.devices()).filter(filter).map(summarizeDevice) };
    }),
  );
  RED.httpAdmin.post(
    `${base}/registers`,
    RED.auth.needsPermission(`${METER_TYPE}.read`),
    route(RED, async (client) => {
      const snapshot = await client.registers({ rates: false });
      return { registers: snapshot.registers.map((r) => ({ name: r.name, type: r.type, unit: registerUnit(r.type) })) };
    }),
  );
}
