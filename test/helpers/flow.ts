/** Shared set-up for Node-RED flow tests: the simulator, a meter config node, and waiting for messages. */
import helper = require('node-red-node-test-helper');
import type { TestNode } from 'node-red-node-test-helper';
import meterModule = require('../../src/nodes/egauge-meter/runtime');
import maskModule = require('../../src/nodes/prm3-mask/runtime');
import scpiModule = require('../../src/nodes/prm3-scpi/runtime');
import discoverModule = require('../../src/nodes/prm3-discover/runtime');
import registerModule = require('../../src/nodes/egauge-register/runtime');
import shedderModule = require('../../src/nodes/load-shedder/runtime');
import { preview } from '../../src/prm3/preview';
import { startSimulator } from '../../src/sim';
import type { MeterSimulator, SimulatorOptions } from '../../src/sim/types';
import { loadCatalogues, withCatalogue } from './node-texts';

export { helper };
export const ALL_NODES: Array<(RED: unknown) => void> = [
  withCatalogue('egauge-meter', meterModule as (RED: unknown) => void),
  withCatalogue('prm3-mask', maskModule as (RED: unknown) => void),
  withCatalogue('prm3-scpi', scpiModule as (RED: unknown) => void),
  withCatalogue('prm3-discover', discoverModule as (RED: unknown) => void),
  withCatalogue('egauge-register', registerModule as (RED: unknown) => void),
  withCatalogue('load-shedder', shedderModule as (RED: unknown) => void),
];

export const METER_ID = 'meter1';
export const TAB = 'tab1';
/** Distinctive, so a test can prove it never shows up anywhere. */
export const PASSWORD = 'Pw-7f3a9c-secret';

export type Msg = Record<string, unknown>;

export function meterConfig(sim: MeterSimulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: METER_ID,
    type: 'egauge-meter',
    name: 'sim',
    url: sim.url,
    verify: true,
    timeout: 5,
    callTimeout: 10,
    ...extra,
  };
}

export const credentials = { [METER_ID]: { username: 'owner', password: PASSWORD } };

export function tab(): Record<string, unknown> {
  return { id: TAB, type: 'tab', label: 'test' };
}

export async function startSim(options: SimulatorOptions = {}): Promise<MeterSimulator> {
  return startSimulator({
    minDurationS: 0,
    users: [{ username: 'owner', password: PASSWORD, rights: ['view', 'ctrl', 'save'] }],
    ...options,
  });
}

/** Gives each test of the calling suite a fresh simulator; afterwards unloads the flow and closes it. */
export function simEachTest(use: (sim: MeterSimulator) => void): void {
  let sim: MeterSimulator | undefined;
  beforeEach(async function () {
    sim = await startSim();
    use(sim);
  });
  afterEach(async function () {
    await helper.unload();
    await sim?.close();
    sim = undefined;
  });
}

/** Node-RED treats a node without x/y as a config node, so flow nodes get a position as the editor would give them. */
export async function load(
  flow: Record<string, unknown>[],
  creds: Record<string, unknown> = credentials,
  nodes = ALL_NODES,
): Promise<void> {
  const placed = flow.map((n) => (typeof n['z'] === 'string' && !('x' in n) ? { x: 100, y: 100, ...n } : n));
  await loadCatalogues();
  await helper.load(nodes, placed, creds);
}

/** Collects every message a helper node receives. */
export function collect(id: string): Msg[] {
  const seen: Msg[] = [];
  helper.getNode(id).on('input', (msg: Msg) => seen.push(msg));
  return seen;
}

/** Resolves with the next message a helper node receives, or rejects after `ms`. */
export function nextMessage(id: string, ms = 8000): Promise<Msg> {
  const node: TestNode = helper.getNode(id);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.removeListener('input', onInput);
      reject(new Error(`no message reached ${id} within ${ms} ms`));
    }, ms);
    const onInput = (msg: Msg): void => {
      clearTimeout(timer);
      resolve(msg);
    };
    node.once('input', onInput);
  });
}

export type Outcome = { kind: 'output'; msg: Msg } | { kind: 'error'; error: { code: string; message: string } };

/**
 * Sends one message into `node` and resolves with what became of it: the next message on the
 * helper `out`, or the next on the helper `caught` (wired from a Catch node).
 */
export function exchange(node: string, msg: Msg): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const out = helper.getNode('out');
    const caught = helper.getNode('caught');
    const timer = setTimeout(() => reject(new Error(`no outcome for ${preview(msg['payload'])}`)), 10_000);
    const done = (outcome: Outcome): void => {
      clearTimeout(timer);
      out.removeListener('input', onOutput);
      caught.removeListener('input', onError);
      resolve(outcome);
    };
    const onOutput = (m: Msg): void => done({ kind: 'output', msg: m });
    const onError = (m: Msg): void => done({ kind: 'error', error: m['error'] as { code: string; message: string } });
    out.on('input', onOutput);
    caught.on('input', onError);
    helper.getNode(node).receive(msg);
  });
}

export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `ms` passes. */
export async function eventually(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(10);
  }
}

interface SpyCall {
  thisValue: { id?: string };
  args: unknown[];
}

/** Calls of a Node.prototype method the test helper spies on, made by one node. */
function callsOf(id: string, method: 'status' | 'warn' | 'error'): unknown[][] {
  const spy = helper.getNode(id)[method] as { getCalls(): SpyCall[] };
  return spy
    .getCalls()
    .filter((c) => c.thisValue.id === id)
    .map((c) => c.args);
}

export interface Status {
  fill?: string;
  shape?: string;
  text?: string;
}

/** Every status a node showed, in order. */
export function statuses(id: string): Status[] {
  return callsOf(id, 'status').map((a) => a[0] as Status);
}

export function lastStatus(id: string): Status | undefined {
  const all = statuses(id);
  return all[all.length - 1];
}

/** Warnings a node logged, as text. */
export function warnings(id: string): string[] {
  return callsOf(id, 'warn').map((a) => String(a[0]));
}

/** Errors a node reported, as text. */
export function errors(id: string): string[] {
  return callsOf(id, 'error').map((a) => String(a[0]));
}
