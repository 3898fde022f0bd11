/** `/ctrl/device`, `/ctrl/interface[/…]`, `POST /ctrl/call` and `GET /ctrl/call/{tid}`. */
import { requireRight } from './auth-routes';
import type { SimContext, SimRequest } from './context';
import { deviceRecord, selectDevices } from './device-attrs';
import { PRM3_INTERFACES } from './interfaces';
import { isRecord, isUnknownArray, parseJson } from './json-guards';
import { failure, ok, type Reply } from './reply';

export const PENDING_ERROR = 'EAGAIN: Call is pending.';
export const NO_DEVICE_ERROR = 'ENODEV: No matching device.';

export function deviceRoute(request: SimRequest, ctx: SimContext): Reply {
  let attrs: Record<string, unknown> = {};
  const attrsText = request.query === '' ? null : new URLSearchParams(request.query).get('attrs');
  if (attrsText !== null) {
    const parsed = parseJson(attrsText);
    if (parsed === undefined || !isRecord(parsed.value)) return failure('EINVAL: attrs must be a JSON object.');
    attrs = parsed.value;
  }
  const selection = selectDevices(ctx.modules, attrs);
  if ('error' in selection) return failure(selection.error);
  const reply = ok({ result: selection.devices.map(deviceRecord) });
  // The listing is taken; whatever happens next happens after it, as on a real meter.
  for (const action of ctx.afterNextListing.splice(0)) action();
  return reply;
}

/** Walks the interface description by path segments, e.g. `relay/method/0/name`. */
export function interfaceRoute(segments: readonly string[], ctx: SimContext): Reply {
  // The meter describes the interfaces of the devices it detects: none while nothing is plugged.
  let node: unknown = ctx.modules.some((module) => module.plugged) ? PRM3_INTERFACES : {};
  for (const raw of segments) {
    const segment = safeDecode(raw);
    if (isUnknownArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else if (isRecord(node) && Object.hasOwn(node, segment)) node = node[segment];
    else node = undefined;
    if (node === undefined) return failure(`Unknown resource /ctrl/interface/${segments.join('/')}.`);
  }
  return ok({ result: node });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function callRoute(request: SimRequest, ctx: SimContext): Reply {
  const refusal = requireRight(request, ctx, 'ctrl');
  if (refusal !== undefined) return refusal;
  const body = request.body.kind === 'json' ? request.body.value : undefined;
  if (!isRecord(body)) return failure('EINVAL: the body must be a JSON object {attrs, method, args}.');
  const { attrs = {}, method, args = [] } = body;
  if (!isRecord(attrs)) return failure('EINVAL: attrs must be an object.');
  if (typeof method !== 'string' || method === '') return failure('EINVAL: method must be a non-empty string.');
  if (!isUnknownArray(args)) return failure('EINVAL: args must be an array.');
  const selection = selectDevices(ctx.modules, attrs);
  if ('error' in selection) return failure(selection.error);
  const device = selection.devices[0];
  if (device === undefined) return failure(NO_DEVICE_ERROR);
  return ok({ result: { tid: ctx.calls.issue(device, method, args) } });
}

export function callResultRoute(tidText: string, ctx: SimContext): Reply {
  if (ctx.faults.eagainForever) return failure(PENDING_ERROR);
  const found = /^\d{1,16}$/.test(tidText) ? ctx.calls.lookup(Number(tidText)) : { state: 'unknown' as const };
  switch (found.state) {
    case 'unknown':
      return failure(`ENOENT: No call with transaction id ${tidText.slice(0, 20)}.`);
    case 'pending':
      return failure(PENDING_ERROR);
    case 'done':
      return ok(found.reply);
  }
}
