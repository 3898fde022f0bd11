/**
 * How every eGauge dialog reaches the meter: through the meter config node's admin routes
 * (src/nodes/meter-routes.ts), so the request shape and the device list live in one place.
 */
import { PASSWORD_PLACEHOLDER } from '../nodes/egauge-meter/settings';
import type { Ajax, EditorRED } from './red';

// The runtime bounds each meter request itself; this only stops a dialog waiting forever.
const REQUEST_LIMIT_MS = 60000;

export type Reply = Record<string, unknown> & { ok: boolean; error?: unknown };

export interface DeviceSummary {
  sn: string;
  model?: unknown;
  port?: unknown;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function isMeterId(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && id !== '_ADD_';
}

export interface ConnectionFields {
  url: unknown;
  username: unknown;
  password: unknown;
  tls: unknown;
  verify: unknown;
  timeout: unknown;
}

/** What the connection test sends: the dialog's current fields, so it works before the first deploy. */
export function connectionTestBody(id: string, fields: ConnectionFields): Record<string, unknown> {
  // A number when it reads as one; otherwise the text, so the runtime can say what is wrong with it.
  const raw = fields.timeout;
  const typedTimeout = (
    typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : (JSON.stringify(raw) ?? '')
  ).trim();
  const timeout = Number(typedTimeout);
  return {
    id,
    url: textOf(fields.url).trim(),
    username: textOf(fields.username).trim(),
    password: textOf(fields.password),
    tls: isMeterId(fields.tls) ? fields.tls : '',
    verify: fields.verify !== false,
    timeout: typedTimeout !== '' && Number.isFinite(timeout) ? timeout : typedTimeout,
  };
}

export function isDeviceSummary(value: unknown): value is DeviceSummary {
  return isObject(value) && typeof value['sn'] === 'string' && value['sn'] !== '';
}

/** The meter requests of a dialog, with the editor's `RED` and `$.ajax` (a test passes its own). */
export function meterApi(red: Pick<EditorRED, 'nodes'>, ajax: Ajax) {
  /** Texts of these shared functions live in the meter's catalogue, whichever dialog shows them. */
  function meterText(key: string, args?: Record<string, unknown>): string {
    const translate = red.nodes.getType('egauge-meter')?._;
    return typeof translate === 'function' ? translate(key, args) : key;
  }

  /**
   * Where the device and register pickers ask, and with what. A meter deployed as the editor
   * shows it is named by its id alone: the runtime then uses that meter's own address, TLS,
   * verify setting and credentials, and a user who may only read flows can use it. A meter
   * that is new or changed goes to the draft route with its fields (the password only while
   * typed but not deployed); that route needs the permission to change flows.
   */
  function meterRequest(meterId: unknown, list: string): { route: string; body: Record<string, unknown> } {
    const meter = isMeterId(meterId) ? red.nodes.node(meterId) : null;
    if (!meter || meter.changed !== true) return { route: `egauge-meter/${list}`, body: { id: meterId } };
    const body: Record<string, unknown> = { id: meterId };
    body['url'] = textOf(meter['url']).trim();
    body['verify'] = meter['verify'] !== false && meter['verify'] !== 'false';
    if (isMeterId(meter['tls'])) body['tls'] = meter['tls'];
    const timeout = Number(meter['timeout']);
    if (Number.isFinite(timeout) && timeout > 0) body['timeout'] = timeout;
    const credentials = isObject(meter.credentials) ? meter.credentials : {};
    const username = credentials['username'];
    if (typeof username === 'string') body['username'] = username.trim();
    const password = credentials['password'];
    if (typeof password === 'string' && password !== '' && password !== PASSWORD_PLACEHOLDER)
      body['password'] = password;
    return { route: `egauge-meter/draft/${list}`, body };
  }

  /** POSTs to an admin route; `done` always gets an object with `ok`, never an exception. */
  function post(path: string, body: unknown, done: (reply: Reply) => void): void {
    ajax({
      url: path,
      type: 'POST',
      data: JSON.stringify(body),
      contentType: 'application/json; charset=utf-8',
      dataType: 'json',
      timeout: REQUEST_LIMIT_MS,
      success(reply: unknown) {
        done(
          isObject(reply) && typeof reply['ok'] === 'boolean'
            ? (reply as Reply)
            : { ok: false, error: meterText('egauge-meter.errors.badReply') },
        );
      },
      error(xhr: { status: number }, status: string) {
        let reason: string;
        if (status === 'timeout') reason = meterText('egauge-meter.errors.noAnswer');
        else if (xhr.status === 401 || xhr.status === 403) reason = meterText('egauge-meter.errors.forbidden');
        else if (xhr.status === 404) reason = meterText('egauge-meter.errors.notInstalled');
        else if (xhr.status === 0) reason = meterText('egauge-meter.errors.noResponse');
        else reason = meterText('egauge-meter.errors.http', { status: xhr.status });
        done({ ok: false, error: reason });
      },
    });
  }

  /** "PRM3 00000004 on USB1" */
  function describeDevice(device: DeviceSummary): string {
    const model = textOf(device.model) || 'PRM3';
    return device.port
      ? meterText('egauge-meter.device.onPort', { model, sn: device.sn, port: device.port })
      : meterText('egauge-meter.device.plain', { model, sn: device.sn });
  }

  return { meterText, meterRequest, post, describeDevice };
}

export type MeterApi = ReturnType<typeof meterApi>;
