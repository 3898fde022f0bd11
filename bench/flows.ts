/**
 * The Node-RED paths, run in the Node-RED runtime of the test helper: our `prm3 mask` node,
 * the flow users wire by hand today from core `http request` nodes, and the floor's raw
 * requests inside a bare node (what the runtime alone costs).
 */
import helper = require('node-red-node-test-helper');
import meterModule = require('../src/nodes/egauge-meter');
import maskModule = require('../src/nodes/prm3-mask');
import { withoutSpies } from '../test/helpers/without-spies';

type Msg = Record<string, unknown>;
type NodeModule = (RED: unknown) => void;

const core = (file: string): NodeModule => require(`@node-red/nodes/core/${file}`) as NodeModule;

/** Sends messages into one node and resolves each when it reaches the flow's end. */
export class FlowDriver {
  private next = 0;
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly entry: string, exit: string) {
    helper.getNode(exit).on('input', (msg: Msg) => {
      const id = msg['benchId'];
      if (typeof id !== 'number') return;
      this.waiting.get(id)?.();
      this.waiting.delete(id);
    });
  }

  send(payload: unknown): Promise<void> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      helper.getNode(this.entry).receive({ payload, benchId: id });
    });
  }
}

const tab = { id: 'tab', type: 'tab', label: 'bench' };
const at = { x: 100, y: 100, z: 'tab' };

export async function loadMaskFlow(meterUrl: string, login: { username: string; password: string }): Promise<FlowDriver> {
  await helper.load([meterModule, maskModule] as NodeModule[], [
    tab,
    { id: 'meter', type: 'egauge-meter', url: meterUrl, verify: true, timeout: 10, callTimeout: 30 },
    { ...at, id: 'mask', type: 'prm3 mask', meter: 'meter', device: '00000004', relays: '1,2,3', output: 'mask', poll: 0, mode: 'queue', wires: [['out']] },
    { ...at, id: 'out', type: 'helper' },
  ], { meter: { username: login.username, password: login.password } });
  withoutSpies(['mask']);
  return new FlowDriver('mask', 'out');
}

/** inject → set token and body → POST /ctrl/call → GET /ctrl/call/{tid} until not EAGAIN → out. */
export async function loadHttpRequestFlow(origin: string, token: string): Promise<FlowDriver> {
  const prep = `msg.headers = { Authorization: 'Bearer ' + ${JSON.stringify(token)} };
msg.payload = { attrs: { sn: '00000004' }, method: 'relay.get_mask', args: [] };
return msg;`;
  const toGet = `msg.url = ${JSON.stringify(origin)} + '/api/ctrl/call/' + msg.payload.result.tid;
delete msg.payload;
return msg;`;
  const check = `const e = msg.payload && msg.payload.error;
return typeof e === 'string' && e.startsWith('EAGAIN') ? [null, msg] : [msg, null];`;
  const fn = (id: string, func: string, outputs: number, wires: string[][]): Record<string, unknown> => ({ ...at, id, type: 'function', func, outputs, noerr: 0, libs: [], wires });
  await helper.load([core('function/10-function.js'), core('network/21-httprequest.js')], [
    tab,
    fn('prep', prep, 1, [['post']]),
    { ...at, id: 'post', type: 'http request', method: 'POST', ret: 'obj', paytoqs: 'ignore', url: `${origin}/api/ctrl/call`, persist: true, wires: [['toGet']] },
    fn('toGet', toGet, 1, [['get']]),
    { ...at, id: 'get', type: 'http request', method: 'GET', ret: 'obj', paytoqs: 'ignore', url: '', persist: true, wires: [['check']] },
    fn('check', check, 2, [['out'], ['get']]),
    { ...at, id: 'out', type: 'helper' },
  ]);
  withoutSpies(['prep', 'post', 'toGet', 'get', 'check']);
  return new FlowDriver('prep', 'out');
}

/**
 * The runtime's own cost: a node that does nothing but the floor's two raw requests, so the
 * price of Node-RED's message passing is measured apart from ours.
 */
export async function loadFloorNodeFlow(caller: { getMask(sn: string): Promise<unknown> }, sn: string): Promise<FlowDriver> {
  const floorNode = (RED: { nodes: { createNode(node: unknown, def: unknown): void; registerType(type: string, ctor: unknown): void } }): void => {
    RED.nodes.registerType('bench floor', function (this: { on(event: string, handler: (msg: Msg, send: (msg: Msg) => void, done: () => void) => void): void }, def: unknown) {
      RED.nodes.createNode(this, def);
      this.on('input', (msg, send, done) => {
        void caller.getMask(sn).then((result) => {
          msg['payload'] = result;
          send(msg);
          done();
        });
      });
    });
  };
  await helper.load([floorNode] as NodeModule[], [
    tab,
    { ...at, id: 'floor', type: 'bench floor', wires: [['out']] },
    { ...at, id: 'out', type: 'helper' },
  ]);
  withoutSpies(['floor']);
  return new FlowDriver('floor', 'out');
}

export function unloadFlow(): Promise<void> {
  return helper.unload();
}
