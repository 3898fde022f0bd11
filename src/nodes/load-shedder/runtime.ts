/**
 * `load shedder`: glue around the control law in src/shed. It turns messages, relay read-backs,
 * register readings and a one-second tick into events, sends the commands a step returns, feeds
 * their results back, and keeps the law's state in the node's context store across restarts.
 */
import { createShedder, parseLimit, parseOverride, parseReading, type Shedder, type ShedState } from '../../shed';
import type { Decision, ShedCommand, ShedEvent } from '../../shed';
import { InputError, toEgaugeError, type EgaugeError } from '../../errors';
import { readSettingsOrReport } from '../node-lifecycle';
import { findMeter } from '../egauge-meter-lookup';
import type { MeterConnection } from '../meter-connection';
import { pickReadings } from '../register-readings';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from '../red';
import { shared, textsOf, type Texts } from '../texts';
import { eventMessage, shedStatus, stateMessage, STATE_REPEAT_MS } from './output';
import { meterUnreachable, ShedderRelays, type DeviceRef } from './relays';
import { readSettings } from '../schema';
import { loadShedderSettings } from './settings';
import { planLoadShedder, type LoadShedderPlan } from './plan';

const NODE_TYPE = 'load shedder';
/** Key of the control law's state in the node's context store. */
const STATE_KEY = 'loadShedderState';
const TICK_MS = 1000;

/** The input topics besides a power reading; anything else is read as watts. */
const INPUT_TOPICS = ['override', 'limit', 'enable', 'disable'] as const;

function parseInput(msg: NodeMessageInFlow, loadNames: readonly string[]): ShedEvent {
  const topic = typeof msg.topic === 'string' ? msg.topic.trim().toLowerCase() : '';
  switch (topic) {
    case 'override':
      return parseOverride(msg.payload, 'msg.payload', loadNames);
    case 'limit':
      return parseLimit(msg.payload, 'msg.payload');
    case 'enable':
      return { type: 'enable' };
    case 'disable':
      return { type: 'disable' };
  }
  try {
    return parseReading(msg.payload, 'msg.payload');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(
      'msg.payload',
      `${error.message} (a power reading), or msg.topic must be one of ${INPUT_TOPICS.join(', ')}`,
    );
  }
}

/** Every meter the settings name, or the field of the first one that is not deployed. */
function findMeters(RED: NodeAPI, settings: LoadShedderPlan): Map<string, MeterConnection> | InputError {
  const meters = new Map<string, MeterConnection>();
  const wanted: Array<[string, string]> = settings.places.map((p, i) => [p.meter, `loads[${i}].meter`]);
  wanted.unshift([settings.meter, 'meter']);
  for (const [id, field] of wanted) {
    if (meters.has(id)) continue;
    const found = findMeter(RED, id);
    if (typeof found === 'string') {
      return new InputError(
        field,
        found === 'missing'
          ? `${field}: no eGauge meter config node with id "${id}" is deployed`
          : `${field}: the eGauge meter configuration is invalid: see its error`,
      );
    }
    meters.set(id, found);
  }
  return meters;
}

class ShedderRun {
  private readonly shedder: Shedder;
  private readonly relays: ShedderRelays;
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private state: ShedState | null = null;
  /** Events that arrived before the stored state was loaded. */
  private readonly early: ShedEvent[] = [];
  private closed = false;
  private lastView = '';
  private lastStateAt = 0;
  private lastStatus = '';
  private lastSaved = '';
  /** Whether each meter answered its last request. */
  private readonly reach = new Map<string, boolean>();
  /** Commands sent per device: a read that saw one start meanwhile is stale. */
  private readonly commandsSent = new Map<string, number>();
  /** Last failure reported per timed task, so a failing poll reaches the log once per kind. */
  private readonly reported = new Map<string, string>();

  constructor(
    private readonly node: Node,
    private readonly settings: LoadShedderPlan,
    private readonly meters: Map<string, MeterConnection>,
    private readonly texts: Texts,
  ) {
    this.shedder = createShedder(settings.law);
    this.relays = new ShedderRelays(settings.places, meters);
    for (const id of meters.keys()) this.reach.set(id, true);
    node.on('close', (_removed: boolean, done: () => void) => {
      this.closed = true;
      this.abort.abort();
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      done();
    });
  }

  start(): void {
    this.node.context().get(STATE_KEY, (err: Error | null | undefined, stored: unknown) => {
      if (this.closed) return;
      this.state = this.restore(err ? undefined : stored);
      this.later(0, () => this.readRelays(), this.settings.pollMs);
      const power = this.settings.power;
      if (power) this.later(0, (signal) => this.readPower(power.meter, power.register, signal), power.everyMs);
      this.later(
        TICK_MS,
        () => {
          this.apply({ type: 'tick' });
          return Promise.resolve();
        },
        TICK_MS,
      );
      const queued = this.early.splice(0);
      this.apply({ type: 'tick' });
      for (const event of queued) this.apply(event);
    });
  }

  /** A stored state that no longer fits the settings is dropped with a warning, never half used. */
  private restore(stored: unknown): ShedState {
    if (stored === undefined || stored === null) return this.shedder.initialState();
    try {
      return this.shedder.restoreState(stored);
    } catch (error) {
      this.node.warn(this.texts('load-shedder.runtime.log.stateDropped', { message: toEgaugeError(error).message }));
      return this.shedder.initialState();
    }
  }

  loadNames(): string[] {
    return this.shedder.config.loads.map((l) => l.name);
  }

  handleInput(msg: NodeMessageInFlow): void {
    const event = parseInput(msg, this.loadNames());
    this.apply(event);
  }

  /** One step of the law; its commands go out, its output is sent. */
  private apply(event: ShedEvent): void {
    if (this.closed) return;
    if (this.state === null) {
      this.early.push(event);
      return;
    }
    const decision = this.shedder.step(this.state, event, Date.now());
    this.state = decision.state;
    this.publish(decision);
    for (const command of decision.commands) {
      this.execute(command).catch((thrown: unknown) => {
        if (!this.closed) this.node.error(toEgaugeError(thrown).message);
      });
    }
  }

  private publish(decision: Decision): void {
    const events = decision.events.map(eventMessage);
    const view = JSON.stringify(decision.view);
    const now = Date.now();
    const repeat = now - this.lastStateAt >= STATE_REPEAT_MS;
    const status = shedStatus(decision.view, this.shedder.config.failsafeAction, this.texts);
    const state = view === this.lastView && !repeat ? null : stateMessage(decision.view, status.text);
    if (state !== null) this.lastStateAt = now;
    this.lastView = view;
    if (events.length > 0 || state !== null) this.node.send([events.length > 0 ? events : null, state]);
    this.showStatus(status);
    const saved = this.shedder.serialise(decision.state);
    if (saved !== this.lastSaved) {
      this.lastSaved = saved;
      this.node.context().set(STATE_KEY, saved, (err: Error | null | undefined) => {
        if (err && !this.closed)
          this.node.warn(this.texts('load-shedder.runtime.log.stateNotSaved', { message: err.message }));
      });
    }
  }

  private showStatus(status: NodeStatus): void {
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.node.status(status);
  }

  private async execute(command: ShedCommand): Promise<void> {
    const ref = this.relays.devices.get(command.device);
    if (ref === undefined) return;
    this.commandsSent.set(ref.key, (this.commandsSent.get(ref.key) ?? 0) + 1);
    let applied: boolean;
    try {
      applied = (await this.relays.switchLoad(ref, command.relays, command.state === 'on', this.abort.signal)).applied;
    } catch (thrown) {
      if (this.closed) return;
      const error = toEgaugeError(thrown, { meter: ref.meter.url });
      const key =
        command.state === 'on' ? 'load-shedder.runtime.log.restoreFailed' : 'load-shedder.runtime.log.shedFailed';
      this.node.error(this.texts(key, { load: command.load, message: error.message }));
      if (meterUnreachable(error)) this.unanswered(ref.meterId);
      this.apply({ type: 'commandResult', load: command.load, outcome: 'failed' });
      return;
    }
    if (this.closed) return;
    this.answered(ref.meterId);
    this.apply({ type: 'commandResult', load: command.load, outcome: applied ? 'confirmed' : 'held' });
  }

  /** Reads every device; each read-back goes to the law as soon as it is in. */
  private async readRelays(): Promise<void> {
    for (const ref of this.relays.devices.values()) {
      if (this.closed) return;
      await this.readDevice(ref);
    }
  }

  private async readDevice(ref: DeviceRef): Promise<void> {
    const sentBefore = this.commandsSent.get(ref.key) ?? 0;
    let mask: number;
    try {
      mask = await this.relays.read(ref, this.abort.signal);
    } catch (thrown) {
      if (this.closed) return;
      const error = toEgaugeError(thrown, { meter: ref.meter.url });
      if (meterUnreachable(error)) this.unanswered(ref.meterId);
      this.failed(`relays ${ref.key}`, this.texts('load-shedder.runtime.log.relaysFailed', { message: error.message }));
      return;
    }
    if (this.closed) return;
    this.answered(ref.meterId);
    this.succeeded(`relays ${ref.key}`);
    // A command sent while this read was out may have moved the relays after it.
    if ((this.commandsSent.get(ref.key) ?? 0) !== sentBefore) return;
    this.apply({ type: 'relayStates', masks: { [ref.key]: mask } });
  }

  private async readPower(meterId: string, register: string, signal: AbortSignal): Promise<void> {
    const meter = this.meters.get(meterId);
    if (meter === undefined) return;
    let watts: number;
    try {
      const snapshot = await meter.client.registers({ signal, rates: true });
      if (this.closed) return;
      this.answered(meterId);
      const value = pickReadings(snapshot, [register])[0]?.value ?? null;
      if (value === null)
        throw new InputError('powerRegister', `register "${register}" has no present rate on the meter`);
      watts = value;
    } catch (thrown) {
      if (this.closed) return;
      const error: EgaugeError = toEgaugeError(thrown, { meter: meter.url });
      if (meterUnreachable(error)) this.unanswered(meterId);
      this.failed('power', this.texts('load-shedder.runtime.log.powerFailed', { message: error.message }));
      return;
    }
    this.succeeded('power');
    this.apply({ type: 'reading', watts });
  }

  private answered(meterId: string): void {
    this.reach.set(meterId, true);
    this.tellReach();
  }

  private unanswered(meterId: string): void {
    this.reach.set(meterId, false);
    this.tellReach();
  }

  private tellReach(): void {
    const reachable = [...this.reach.values()].every(Boolean);
    if (this.state !== null && reachable !== this.state.meterReachable) this.apply({ type: 'meter', reachable });
  }

  private failed(task: string, text: string): void {
    if (this.reported.get(task) === text) return;
    this.reported.set(task, text);
    this.node.error(text);
  }

  private succeeded(task: string): void {
    this.reported.delete(task);
  }

  /** Runs `task` after `delayMs`, then every `everyMs` if given; never overlapping, never after close. */
  private later(delayMs: number, task: (signal: AbortSignal) => Promise<void>, everyMs?: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      Promise.resolve()
        .then(() => task(this.abort.signal))
        .catch((thrown: unknown) => {
          if (!this.closed) this.node.error(toEgaugeError(thrown).message);
        })
        .finally(() => {
          if (everyMs !== undefined) this.later(everyMs, task, everyMs);
        });
    }, delayMs);
    this.timers.add(timer);
  }
}

export = function register(RED: NodeAPI): void {
  function LoadShedderNode(this: Node, def: NodeDef & Record<string, unknown>): void {
    RED.nodes.createNode(this, def);
    const settings = readSettingsOrReport(RED, this, () =>
      planLoadShedder(readSettings(loadShedderSettings, def), def['meter']),
    );
    if (!settings) return;
    const meters = findMeters(RED, settings);
    const texts = textsOf(RED);
    if (meters instanceof InputError) {
      this.status({ fill: 'red', shape: 'ring', text: texts(shared('status.noMeter')) });
      this.error(meters.message);
      return;
    }
    const run = new ShedderRun(this, settings, meters, texts);
    this.on('input', (msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
      try {
        run.handleInput(msg);
        done();
      } catch (thrown) {
        done(toEgaugeError(thrown));
      }
    });
    run.start();
  }

  RED.nodes.registerType(NODE_TYPE, LoadShedderNode);
};
