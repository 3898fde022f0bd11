/**
 * Replays a household profile through the load shedder, one reading a second, with a fake clock
 * and a model of the PRM3: a command inside the module's minimum open/close time is held and
 * nothing moves. Besides driving the controller, the replay keeps its own account of the truth
 * (relay changes, overrides, switches, interval energy) so properties are checked against the
 * physical world, not against the controller's beliefs.
 */
import { createShedder, type ShedCommand, type ShedNotice, type ShedState, type Shedder } from '../../src/shed';
import type { ShedEvent } from '../../src/shed/events';
import type { HouseholdProfile } from '../../bench/shed/household-profile';
import { Prm3Model } from '../../bench/shed/prm3-model';

export type Scripted =
  | { at: number; kind: 'override'; load: string; state: 'on' | 'off' | 'auto'; forS?: number }
  /** Someone flips the load's relays outside the controller. */
  | { at: number; kind: 'external'; load: string }
  /** No readings for forS seconds (ticks only). */
  | { at: number; kind: 'silence'; forS: number }
  | { at: number; kind: 'limit'; watts: number };

export interface ReplaySetup {
  profile: HouseholdProfile;
  /** Shedder settings; loads[i] is driven by profile.switched[i]. */
  config: { loads: Array<Record<string, unknown>> } & Record<string, unknown>;
  /** Relays closed at the start, per load index; all closed when absent. */
  startClosed?: boolean[];
  readbackEveryS?: number;
  script?: Scripted[];
}

export interface ReplayCommand {
  t: number;
  cmd: ShedCommand;
  outcome: 'confirmed' | 'held';
  /** Load state before the command and seconds since its relays last moved (the truth). */
  wasOn: boolean;
  sinceChangeS: number;
  /** The override in force on the load at that moment, as the replay itself tracks it. */
  override: { state: 'on' | 'off'; until: number } | null;
  /** Commands for the same load sent in the same step. */
  sameStep: number;
}

export interface ReplayResult {
  shedder: Shedder;
  powerW: Float64Array;
  /** How far present power had to drop to meet the limit (or the interval average), per second. */
  needW: Float64Array;
  /** Power the controller was free to shed at that second: closed, not critical, not overridden, past min-on, under the cap. */
  availableW: Float64Array;
  /**
   * Rise in power since the previous second that the controller did not cause: unswitched
   * loads, switched loads starting to draw while closed, and changes made elsewhere.
   */
  uncontrolledRiseW: Float64Array;
  /** Changes made elsewhere that the controller has not yet seen in a read-back, per second. */
  unseenChanges: Uint8Array;
  commands: ReplayCommand[];
  notices: Array<ShedNotice & { t: number }>;
  /** Demand mode: the average of each complete interval. */
  intervalAveragesW: number[];
  finalState: ShedState;
  limitW: number;
}

interface Truth {
  changedAt: number;
  override: { state: 'on' | 'off'; until: number } | null;
  autoSwitches: number[];
}

export function replay(setup: ReplaySetup): ReplayResult {
  const { profile } = setup;
  const shedder = createShedder(setup.config);
  const cfg = shedder.config;
  if (cfg.loads.length !== profile.switched.length) throw new RangeError('one profile demand per load');
  const model = new Prm3Model(cfg.prm3MinSwitchS);
  const truth: Truth[] = cfg.loads.map(() => ({ changedAt: -Infinity, override: null, autoSwitches: [] }));
  const isClosed = (i: number): boolean => {
    const load = cfg.loads[i];
    return (model.mask(load.device) & load.relays) === load.relays;
  };
  cfg.loads.forEach((load, i) => {
    if (setup.startClosed?.[i] ?? true) model.force(load.device, model.mask(load.device) | load.relays, -Infinity);
  });
  const masks = (): Record<string, number> => Object.fromEntries(model.masks);

  const n = profile.seconds;
  const out: ReplayResult = {
    shedder,
    powerW: new Float64Array(n),
    needW: new Float64Array(n),
    availableW: new Float64Array(n),
    uncontrolledRiseW: new Float64Array(n),
    unseenChanges: new Uint8Array(n),
    commands: [],
    notices: [],
    intervalAveragesW: [],
    finalState: shedder.initialState(),
    limitW: cfg.limitW,
  };
  // Nobody knows when the relays last moved before the start; the controller counts its minimum
  // times from its first read-back, so the truth does too.
  for (const tr of truth) tr.changedAt = profile.startMs;
  const wasClosed = cfg.loads.map((_, i) => isClosed(i));
  const externallyMoved = new Set<number>();
  let unseen = 0;
  let state = shedder.initialState();
  let limitW = cfg.limitW;
  const script = [...(setup.script ?? [])].sort((a, b) => a.at - b.at);
  let silentUntil = -1;
  const readbackEvery = setup.readbackEveryS ?? 5;
  const intervalS = cfg.demandIntervalMin === null ? null : cfg.demandIntervalMin * 60;
  let intervalEnergy = 0;
  let intervalSeen = 0;

  const feed = (event: ShedEvent, t: number, now: number): void => {
    const queue: ShedEvent[] = [event];
    while (queue.length > 0) {
      const ev = queue.shift()!;
      const d = shedder.step(state, ev, now);
      state = d.state;
      for (const notice of d.events) out.notices.push({ ...notice, t });
      const perLoad = new Map<string, number>();
      for (const cmd of d.commands) perLoad.set(cmd.load, (perLoad.get(cmd.load) ?? 0) + 1);
      for (const cmd of d.commands) {
        const i = cfg.loads.findIndex((l) => l.name === cmd.load);
        const tr = truth[i];
        const wasOn = isClosed(i);
        const sinceChangeS = (now - tr.changedAt) / 1000;
        const outcome = model.apply(cmd.device, cmd.relays, cmd.state === 'on', now);
        if (outcome === 'confirmed' && wasOn !== isClosed(i)) tr.changedAt = now;
        if (cmd.reason === 'shed' || cmd.reason === 'restore') tr.autoSwitches.push(now);
        out.commands.push({
          t,
          cmd,
          outcome,
          wasOn,
          sinceChangeS,
          override: tr.override && now < tr.override.until ? { ...tr.override } : null,
          sameStep: perLoad.get(cmd.load) ?? 0,
        });
        queue.push({ type: 'commandResult', load: cmd.load, outcome });
      }
    }
  };

  for (let t = 0; t < n; t++) {
    const now = profile.startMs + t * 1000;
    while (script.length > 0 && script[0].at <= t) {
      const s = script.shift()!;
      if (s.kind === 'silence') silentUntil = t + s.forS;
      else if (s.kind === 'limit') {
        limitW = s.watts;
        feed({ type: 'limit', watts: s.watts }, t, now);
      } else {
        const i = cfg.loads.findIndex((l) => l.name === s.load);
        const load = cfg.loads[i];
        const tr = truth[i];
        if (s.kind === 'external') {
          const on = !isClosed(i);
          const mask = model.mask(load.device);
          model.force(load.device, on ? mask | load.relays : mask & ~load.relays, now);
          tr.changedAt = now;
          externallyMoved.add(i);
          unseen++;
          // The controller learns of it at the next read-back; its manual spell counts from there.
          const seenAt = profile.startMs + Math.ceil(t / readbackEvery) * readbackEvery * 1000;
          tr.override = { state: on ? 'on' : 'off', until: seenAt + cfg.externalOverrideS * 1000 };
        } else {
          tr.override =
            s.state === 'auto' ? null : { state: s.state, until: now + (s.forS ?? cfg.overrideDefaultS) * 1000 };
          feed(
            { type: 'override', load: s.load, state: s.state, ...(s.forS === undefined ? {} : { forS: s.forS }) },
            t,
            now,
          );
        }
      }
    }

    let power = profile.unswitchedW[t];
    let available = 0;
    cfg.loads.forEach((load, i) => {
      const demand = profile.switched[i].demandW[t];
      if (!isClosed(i)) return;
      power += demand;
      const tr = truth[i];
      const overridden = tr.override !== null && now < tr.override.until;
      const hourly = tr.autoSwitches.filter((x) => x > now - 3_600_000).length;
      if (!load.critical && !overridden && (now - tr.changedAt) / 1000 >= load.minOnS && hourly < cfg.switchesPerHour)
        available += demand;
    });
    out.powerW[t] = power;
    out.availableW[t] = available;
    let rise = t === 0 ? 0 : profile.unswitchedW[t] - profile.unswitchedW[t - 1];
    cfg.loads.forEach((_, i) => {
      const demand = profile.switched[i].demandW;
      if (t > 0 && isClosed(i) && wasClosed[i]) rise += demand[t] - demand[t - 1];
      else if (t > 0 && isClosed(i) && externallyMoved.has(i)) rise += demand[t];
      else if (t > 0 && !isClosed(i) && wasClosed[i] && externallyMoved.has(i)) rise -= demand[t - 1];
    });
    externallyMoved.clear();
    out.uncontrolledRiseW[t] = rise;
    if (intervalS === null) out.needW[t] = power - limitW;
    else {
      const start = Math.floor(now / 1000 / intervalS) * intervalS;
      const into = now / 1000 - start;
      if (into === 0 && t > 0) {
        if (intervalSeen === intervalS) out.intervalAveragesW.push(intervalEnergy / intervalS);
        intervalEnergy = 0;
        intervalSeen = 0;
      }
      if (t === 0) intervalEnergy = power * into;
      out.needW[t] = power - (limitW * intervalS - intervalEnergy) / Math.max(1, intervalS - into);
      intervalEnergy += power;
      intervalSeen = t === 0 ? into + 1 : intervalSeen + 1;
    }

    out.unseenChanges[t] = unseen;
    if (t % readbackEvery === 0) {
      feed({ type: 'relayStates', masks: masks() }, t, now);
      unseen = 0;
    }
    feed(t < silentUntil ? { type: 'tick' } : { type: 'reading', watts: power }, t, now);
    cfg.loads.forEach((_, i) => (wasClosed[i] = isClosed(i)));
  }
  out.finalState = state;
  return out;
}
