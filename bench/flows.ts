/**
 * The flows the bench deploys into a real Node-RED runtime, one group per simulator mode. Each
 * sequential path is inject → what is timed → a function node that reports the lap and sends
 * the message back round; the throughput path fans messages out to one `prm3 mask` node per
 * device and sends each back round until the round's time is up.
 */
import type { Operation } from './floor';

type FlowNode = Record<string, unknown>;

export interface ModeSetup {
  /** 'same' or 'child': prefixes every id. */
  mode: string;
  /** The simulator's origin, without /api. */
  url: string;
  /** A bearer token for the hand-wired `http request` flow. */
  token: string;
  /** Serial numbers: the first is the sequential paths' device; all of them carry the throughput path. */
  devices: readonly string[];
}

/** Ids and `msg.benchPath` names, shared by the flow and the bench that drives it. */
export const ids = {
  meter: (mode: string): string => `${mode}-meter`,
  own: (mode: string, op: Operation): string => `${mode}-own-${op}`,
  mask: (mode: string, op: Operation): string => `${mode}-mask-${op}`,
  httpSet: (mode: string): string => `${mode}-http-set`,
  throughput: (mode: string): string => `${mode}-throughput`,
  ownThroughput: (mode: string): string => `${mode}-own-throughput`,
  /** The raw work of the own throughput path's node for device `i`. */
  ownThroughputDevice: (mode: string, i: number): string => `${ids.ownThroughput(mode)}-${i}`,
};

const tab = (mode: string): FlowNode => ({ id: `${mode}-tab`, type: 'tab', label: `bench ${mode}` });
const at = (mode: string): FlowNode => ({ x: 100, y: 100, z: `${mode}-tab` });

/** The first payload of each operation; later ones come from the bench. */
function firstPayload(op: Operation): { v: string; vt: string } {
  if (op === 'set') return { v: '5', vt: 'num' };
  return { v: op, vt: 'str' };
}

function inject(mode: string, id: string, op: Operation | null, wires: string[][]): FlowNode {
  const payload = op === null ? { v: '', vt: 'str' } : firstPayload(op);
  return {
    ...at(mode),
    id,
    type: 'inject',
    props: [
      { p: 'payload', ...payload },
      { p: 'benchPath', v: id, vt: 'str' },
    ],
    repeat: '',
    once: false,
    wires,
  };
}

function fn(mode: string, id: string, func: string, outputs: number, wires: string[][]): FlowNode {
  return {
    ...at(mode),
    id,
    type: 'function',
    func,
    outputs,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    wires,
  };
}

const LAP = `const next = global.get('bench').lap(msg.benchPath);
if (next === undefined) return null;
msg.payload = next;
return msg;`;

/** A function node's body doing the raw work registered under the key `keyExpr` evaluates to. */
const rawWork = (keyExpr: string): string => `global.get('bench').raw(${keyExpr}).then((result) => {
  msg.payload = result;
  node.send(msg);
  node.done();
}, (error) => node.done(error));
return;`;

const RAW = rawWork('msg.benchPath');
/** The own throughput path's per-device node: the floor's requests for the message's device. */
const RAW_DEVICE = rawWork(`msg.benchPath + '-' + msg.benchDevice`);

function maskNode(mode: string, id: string, sn: string, wires: string[][]): FlowNode {
  return {
    ...at(mode),
    id,
    type: 'prm3 mask',
    meter: ids.meter(mode),
    device: sn,
    relays: '1,2,3',
    oneLoad: false,
    output: 'mask',
    poll: 0,
    pollOutput: 'change',
    mode: 'queue',
    wires,
  };
}

/** inject → function doing the floor's raw requests → lap: what Node-RED alone costs. */
function ownPath(mode: string, op: Operation): FlowNode[] {
  const id = ids.own(mode, op);
  return [
    inject(mode, id, op, [[`${id}-raw`]]),
    fn(mode, `${id}-raw`, RAW, 1, [[`${id}-lap`]]),
    fn(mode, `${id}-lap`, LAP, 1, [[`${id}-raw`]]),
  ];
}

/** inject → prm3 mask → lap. */
function maskPath(mode: string, op: Operation, sn: string): FlowNode[] {
  const id = ids.mask(mode, op);
  return [
    inject(mode, id, op, [[`${id}-node`]]),
    maskNode(mode, `${id}-node`, sn, [[`${id}-lap`]]),
    fn(mode, `${id}-lap`, LAP, 1, [[`${id}-node`]]),
  ];
}

/**
 * The set users wire by hand from core nodes: set_mask, then get_mask for the read-back, each
 * a POST /ctrl/call and GETs of /ctrl/call/{tid} until the result is no longer EAGAIN.
 */
function httpSetPath(setup: ModeSetup): FlowNode[] {
  const { mode, url, token } = setup;
  const sn = setup.devices[0] ?? '';
  const id = ids.httpSet(mode);
  const call = (step: string, method: string, args: string, next: string): FlowNode[] => {
    const prep = `msg.headers = { Authorization: 'Bearer ' + ${JSON.stringify(token)} };
delete msg.url;
msg.payload = { attrs: { sn: ${JSON.stringify(sn)} }, method: ${JSON.stringify(method)}, args: ${args} };
return msg;`;
    const toGet = `msg.url = ${JSON.stringify(url)} + '/api/ctrl/call/' + msg.payload.result.tid;
delete msg.payload;
return msg;`;
    const check = `const e = msg.payload && msg.payload.error;
return typeof e === 'string' && e.startsWith('EAGAIN') ? [null, msg] : [msg, null];`;
    const p = `${id}-${step}`;
    return [
      fn(mode, `${p}-prep`, prep, 1, [[`${p}-post`]]),
      {
        ...at(mode),
        id: `${p}-post`,
        type: 'http request',
        method: 'POST',
        ret: 'obj',
        paytoqs: 'ignore',
        url: `${url}/api/ctrl/call`,
        persist: true,
        wires: [[`${p}-toget`]],
      },
      fn(mode, `${p}-toget`, toGet, 1, [[`${p}-get`]]),
      {
        ...at(mode),
        id: `${p}-get`,
        type: 'http request',
        method: 'GET',
        ret: 'obj',
        paytoqs: 'ignore',
        url: '',
        persist: true,
        wires: [[`${p}-check`]],
      },
      fn(mode, `${p}-check`, check, 2, [[next], [`${p}-get`]]),
    ];
  };
  return [
    inject(mode, id, 'set', [[`${id}-set-prep`]]),
    ...call('set', 'relay.set_mask', '[msg.payload]', `${id}-read-prep`),
    ...call('read', 'relay.get_mask', '[]', `${id}-lap`),
    fn(mode, `${id}-lap`, LAP, 1, [[`${id}-set-prep`]]),
  ];
}

/**
 * inject → fan-out of N messages over the devices → one node per device → back round. The node
 * is a `prm3 mask`, or for Node-RED's own cost a function node doing the floor's requests.
 */
function throughputPath(setup: ModeSetup, kind: 'mask' | 'own'): FlowNode[] {
  const { mode, devices } = setup;
  const id = kind === 'mask' ? ids.throughput(mode) : ids.ownThroughput(mode);
  const outputs = devices.length;
  const fan = `const n = global.get('bench').callers(msg.benchPath);
for (let i = 0; i < n; i++) {
  const out = new Array(${outputs}).fill(null);
  out[i % ${outputs}] = { payload: 'get', benchPath: msg.benchPath, benchDevice: i % ${outputs} };
  node.send(out);
}
return null;`;
  const back = `if (!global.get('bench').tick(msg.benchPath)) return null;
const out = new Array(${outputs}).fill(null);
msg.payload = 'get';
out[msg.benchDevice] = msg;
return out;`;
  const nodeIds = devices.map((_, i) => `${id}-node${i}`);
  return [
    inject(mode, id, null, [[`${id}-fan`]]),
    fn(
      mode,
      `${id}-fan`,
      fan,
      outputs,
      nodeIds.map((n) => [n]),
    ),
    ...devices.map((sn, i) =>
      kind === 'mask'
        ? maskNode(mode, nodeIds[i] ?? '', sn, [[`${id}-back`]])
        : fn(mode, nodeIds[i] ?? '', RAW_DEVICE, 1, [[`${id}-back`]]),
    ),
    fn(
      mode,
      `${id}-back`,
      back,
      outputs,
      nodeIds.map((n) => [n]),
    ),
  ];
}

export function benchFlow(setups: readonly ModeSetup[]): FlowNode[] {
  const flow: FlowNode[] = [];
  for (const setup of setups) {
    const { mode } = setup;
    const sn = setup.devices[0] ?? '';
    flow.push(tab(mode));
    flow.push({
      id: ids.meter(mode),
      type: 'egauge-meter',
      name: `bench ${mode}`,
      url: setup.url,
      verify: true,
      timeout: 10,
      callTimeout: 30,
    });
    for (const op of ['get', 'set', 'toggle'] as const) flow.push(...ownPath(mode, op), ...maskPath(mode, op, sn));
    flow.push(...httpSetPath(setup), ...throughputPath(setup, 'mask'), ...throughputPath(setup, 'own'));
  }
  return flow;
}
