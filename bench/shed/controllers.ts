/**
 * The three controllers the shedding comparison replays, behind one interface: the load
 * shedder's control law (src/shed), the example function node the package shipped before it
 * (run unchanged in a sandbox with what Node-RED gives a function node), and a naive threshold
 * controller. Each sees one reading a second and switches loads through `apply`, which answers
 * as the PRM3 does: the relays moved, or the command was held inside the module's minimum time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createShedder, type ShedEvent, type ShedState } from '../../src/shed';

export interface ReplayLoad {
  name: string;
  device: string;
  /** Relay mask 1..7. */
  relays: number;
  /** Lower sheds first. */
  priority: number;
  /** What the load draws when running; the node is told it as the load's expected power. */
  nominalW: number;
}

export type Outcome = 'confirmed' | 'held';
/** Sends a command for load `index` to its PRM3 at the replay's present second. */
export type Apply = (index: number, on: boolean) => Outcome;

export interface Controller {
  /**
   * One second: `masks` is a read-back of every device's relays (every few seconds, else null),
   * then the reading of grid power in W.
   */
  second(now: number, watts: number, masks: ReadonlyMap<string, number> | null, apply: Apply): void;
}

export interface NodeSettings {
  bandW?: number;
  shedDelayS?: number;
  restoreDelayS?: number;
  restoreGapS?: number;
  switchesPerHour?: number;
}

/** The load shedder's control law with the node's settings: limit, loads, and whatever is given. */
export function nodeController(
  loads: readonly ReplayLoad[],
  limitW: number,
  prm3MinSwitchS: number,
  demandIntervalMin: 15 | 60 | null,
  settings: NodeSettings,
): Controller {
  const shedder = createShedder({
    ...settings,
    limitW,
    prm3MinSwitchS,
    demandIntervalMin,
    loads: loads.map((l) => ({
      name: l.name,
      device: l.device,
      relays: [1, 2, 3].filter((r) => (l.relays & (1 << (r - 1))) !== 0),
      priority: l.priority,
      expectedW: l.nominalW,
    })),
  });
  const index = new Map(loads.map((l, i) => [l.name, i]));
  let state: ShedState = shedder.initialState();
  const feed = (first: ShedEvent, now: number, apply: Apply): void => {
    const queue: ShedEvent[] = [first];
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
      const decision = shedder.step(state, event, now);
      state = decision.state;
      for (const cmd of decision.commands) {
        const outcome = apply(index.get(cmd.load) ?? -1, cmd.state === 'on');
        queue.push({ type: 'commandResult', load: cmd.load, outcome });
      }
    }
  };
  return {
    second(now, watts, masks, apply) {
      if (masks !== null) feed({ type: 'relayStates', masks: Object.fromEntries(masks) }, now, apply);
      feed({ type: 'reading', watts }, now, apply);
    },
  };
}

export interface ThresholdSettings {
  /** Restore only below limit − this; 0 is the naive controller. */
  restoreBelowW?: number;
  /** The condition must last this long before a switch; 0 is the naive controller. */
  delayS?: number;
}

/**
 * Above the limit: shed the lowest-priority load still on. Below it: restore the
 * highest-priority load it shed. One switch a reading, no band, no delays. It knows which of
 * its commands the PRM3 carried out, and sends a held one again at the next reading.
 */
export function thresholdController(
  loads: readonly ReplayLoad[],
  limitW: number,
  settings: ThresholdSettings = {},
): Controller {
  const order = loads.map((_, i) => i).sort((a, b) => (loads[a]?.priority ?? 0) - (loads[b]?.priority ?? 0));
  const shed: number[] = [];
  const below = settings.restoreBelowW ?? 0;
  const delayMs = (settings.delayS ?? 0) * 1000;
  let since: { over: boolean; at: number } | null = null;
  return {
    second(now, watts, _masks, apply) {
      const over = watts > limitW;
      const under = watts < limitW - below;
      if (!over && !under) {
        since = null;
        return;
      }
      if (since === null || since.over !== over) since = { over, at: now };
      if (now - since.at < delayMs) return;
      if (over) {
        const next = order.find((i) => !shed.includes(i));
        if (next !== undefined && apply(next, false) === 'confirmed') {
          shed.push(next);
          since = null;
        }
      } else {
        const last = shed[shed.length - 1];
        if (last !== undefined && apply(last, true) === 'confirmed') {
          shed.pop();
          since = null;
        }
      }
    },
  };
}

/** The example function node as the package shipped it, kept as it was. */
export interface ExampleFunctionNode {
  name: string;
  func: string;
  outputs: number;
}

export function readExampleFunction(projectRoot: string): ExampleFunctionNode {
  const parsed: unknown = JSON.parse(
    readFileSync(path.join(projectRoot, 'bench', 'shed', 'example-function.json'), 'utf8'),
  );
  const get = (k: string): unknown =>
    typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, k) : undefined;
  const name = get('name');
  const func = get('func');
  const outputs = get('outputs');
  if (typeof name !== 'string' || typeof func !== 'string' || typeof outputs !== 'number')
    throw new TypeError('bench/shed/example-function.json must hold a function node with name, func and outputs');
  return { name, func, outputs };
}

/** The line users edit to name their loads, lowest priority first. */
const LOADS_LINE = /^const LOADS = \[.*\];.*$/m;

export interface ExampleSettings {
  /** SHED_HYSTERESIS_W: restore below limit − this (the example's default is 2000). */
  hysteresisW?: number;
  /** SHED_HOLD_S: how long a condition must last (default 10). */
  holdS?: number;
  /** SHED_MIN_SWITCH_S: never switch a load again sooner (default 15). */
  minSwitchS?: number;
}

/**
 * Runs the example's code in a sandbox, with `msg`, `node`, `context`, `flow`, `global` and
 * `env` as Node-RED gives them, and `Date.now()` reading the replay's clock. Its settings come
 * through `env` as the example says; its list of loads is edited as a user would, to the
 * replay's loads in order of priority. Output i goes to load i's relays; as in the example's
 * flow, nothing comes back from them.
 */
export function exampleController(
  example: ExampleFunctionNode,
  loads: readonly ReplayLoad[],
  limitW: number,
  settings: ExampleSettings = {},
): Controller {
  const order = loads.map((_, i) => i).sort((a, b) => (loads[a]?.priority ?? 0) - (loads[b]?.priority ?? 0));
  if (!LOADS_LINE.test(example.func)) throw new Error(`${example.name}: no "const LOADS = [...]" line to edit`);
  const func = example.func.replace(
    LOADS_LINE,
    `const LOADS = ${JSON.stringify(order.map((i) => loads[i]?.name ?? ''))};`,
  );
  const envValues: Record<string, string> = { SHED_LIMIT_W: String(limitW) };
  if (settings.hysteresisW !== undefined) envValues['SHED_HYSTERESIS_W'] = String(settings.hysteresisW);
  if (settings.holdS !== undefined) envValues['SHED_HOLD_S'] = String(settings.holdS);
  if (settings.minSwitchS !== undefined) envValues['SHED_MIN_SWITCH_S'] = String(settings.minSwitchS);
  let clock = 0;
  const store = (): { get(k: string): unknown; set(k: string, v: unknown): void } => {
    const values = new Map<string, unknown>();
    return { get: (k) => values.get(k), set: (k, v) => void values.set(k, v) };
  };
  const sandbox = {
    node: { status: (): void => undefined, warn: (): void => undefined, error: (): void => undefined },
    context: store(),
    flow: store(),
    global: store(),
    env: { get: (k: string): string | undefined => envValues[k] },
    Date: class extends Date {
      static override now(): number {
        return clock;
      }
    },
  };
  const run = vm.runInNewContext(`(function (msg) {\n${func}\n})`, sandbox, { filename: example.name }) as (
    msg: Record<string, unknown>,
  ) => unknown;
  return {
    second(now, watts, _masks, apply) {
      clock = now;
      const out = run({ payload: watts, topic: 'grid power' });
      if (!Array.isArray(out)) return;
      order.forEach((loadIndex, output) => {
        const msg: unknown = out[output];
        if (typeof msg !== 'object' || msg === null) return;
        const payload: unknown = Reflect.get(msg, 'payload');
        if (typeof payload === 'boolean') apply(loadIndex, payload);
      });
    },
  };
}
