/**
 * Properties of the load shedder over seeded household profiles replayed at one reading a
 * second with a fake clock, with the PRM3's own minimum switch time modelled.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ShedConfig } from '../src/shed';
import { generateProfile, NOMINAL_W, type SwitchedKind } from '../bench/shed/household-profile';
import { replay, type ReplayResult, type Scripted } from './helpers/shed-replay';

const KINDS: SwitchedKind[] = ['water-heater', 'ev-charger', 'heat-pump', 'pool-pump'];
const DEVICE_OF: Record<SwitchedKind, [string, string]> = {
  'water-heater': ['prm3-a', '1'],
  'heat-pump': ['prm3-a', '2'],
  'pool-pump': ['prm3-a', '3'],
  // The EV charger is three-phase: one load on all three relays of its own module.
  'ev-charger': ['prm3-b', '1,2,3'],
};

/** The controller's own settings as the property draws them, plus the profile and the loads'. */
interface Settings extends Pick<
  ShedConfig,
  | 'limitW'
  | 'bandW'
  | 'shedDelayS'
  | 'restoreDelayS'
  | 'restoreGapS'
  | 'switchesPerHour'
  | 'demandIntervalMin'
  | 'prm3MinSwitchS'
> {
  seed: number;
  startHour: number;
  hours: number;
  minExtraS: number[];
  priorities: number[];
  critical: boolean[];
  autoRestore: boolean[];
  steady: boolean;
  failsafeAfterS: number;
  failsafeAction: 'hold' | 'shed-all' | 'restore-all';
  script: Scripted[];
}

const loadNames = KINDS.map((k) => k.replace('-', ' '));

/** Overrides, changes made elsewhere, limit changes and (with `silences`) spells without readings. */
function scriptArb(seconds: number, silences: boolean): fc.Arbitrary<Scripted[]> {
  const load = fc.constantFrom(...loadNames);
  const at = fc.integer({ min: 1, max: seconds - 1 });
  const kinds: Array<fc.Arbitrary<Scripted>> = [
    fc.record({
      at,
      kind: fc.constant('override' as const),
      load,
      state: fc.constantFrom('on' as const, 'off' as const, 'auto' as const),
      forS: fc.integer({ min: 30, max: 3600 }),
    }),
    fc.record({ at, kind: fc.constant('external' as const), load }),
    fc.record({ at, kind: fc.constant('limit' as const), watts: fc.integer({ min: 4000, max: 14000 }) }),
  ];
  if (silences)
    kinds.push(fc.record({ at, kind: fc.constant('silence' as const), forS: fc.integer({ min: 10, max: 900 }) }));
  return fc.array(fc.oneof(...kinds), { maxLength: 5 });
}

function settingsArb(
  hours: number,
  steady: boolean,
  script: 'people' | 'people-and-silences' | 'none',
): fc.Arbitrary<Settings> {
  const seconds = hours * 3600;
  return fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    startHour: fc.integer({ min: 0, max: 23 }),
    hours: fc.constant(hours),
    limitW: fc.integer({ min: 4000, max: 14000 }),
    bandW: fc.integer({ min: 200, max: 1500 }),
    shedDelayS: fc.integer({ min: 0, max: 30 }),
    restoreDelayS: fc.integer({ min: 0, max: 300 }),
    restoreGapS: fc.integer({ min: 0, max: 120 }),
    switchesPerHour: fc.integer({ min: 1, max: 12 }),
    demandIntervalMin: fc.constantFrom(null, 15 as const, 60 as const),
    prm3MinSwitchS: fc.integer({ min: 0, max: 30 }),
    minExtraS: fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 4, maxLength: 4 }),
    priorities: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }),
    critical: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }).map((c) => c.map((x, i) => x && i !== 0)),
    autoRestore: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    steady: fc.constant(steady),
    failsafeAfterS: fc.integer({ min: 5, max: 120 }),
    failsafeAction: fc.constantFrom('hold' as const, 'shed-all' as const, 'restore-all' as const),
    script: script === 'none' ? fc.constant([]) : scriptArb(seconds, script === 'people-and-silences'),
  });
}

function run(s: Settings): ReplayResult {
  const profile = generateProfile({
    seed: s.seed,
    seconds: s.hours * 3600,
    startHour: s.startHour,
    kinds: KINDS,
    steady: s.steady,
  });
  return replay({
    profile,
    script: s.script,
    config: {
      limitW: s.limitW,
      bandW: s.bandW,
      shedDelayS: s.shedDelayS,
      restoreDelayS: s.restoreDelayS,
      restoreGapS: s.restoreGapS,
      switchesPerHour: s.switchesPerHour,
      demandIntervalMin: s.demandIntervalMin,
      prm3MinSwitchS: s.prm3MinSwitchS,
      failsafeAfterS: s.failsafeAfterS,
      failsafeAction: s.failsafeAction,
      loads: KINDS.map((kind, i) => ({
        name: loadNames[i],
        device: DEVICE_OF[kind][0],
        relays: DEVICE_OF[kind][1],
        priority: s.priorities[i],
        expectedW: NOMINAL_W[kind],
        minOnS: s.prm3MinSwitchS + s.minExtraS[i],
        minOffS: s.prm3MinSwitchS + s.minExtraS[(i + 1) % 4],
        critical: s.critical[i],
        autoRestore: s.autoRestore[i],
      })),
    },
  });
}

function loadOf(r: ReplayResult, name: string) {
  const load = r.shedder.config.loads.find((l) => l.name === name);
  assert.ok(load, name);
  return load;
}

function checkMinTimes(r: ReplayResult): void {
  for (const c of r.commands) {
    if (c.wasOn === (c.cmd.state === 'on')) continue;
    const load = loadOf(r, c.cmd.load);
    const min = c.wasOn ? load.minOnS : load.minOffS;
    assert.ok(
      c.sinceChangeS >= min,
      `${c.cmd.load} switched ${c.cmd.state} at ${c.t} s, ${c.sinceChangeS} s after its last change; minimum ${min} s`,
    );
    assert.equal(c.outcome, 'confirmed', `${c.cmd.load} at ${c.t} s was held by the PRM3`);
  }
}

function checkCriticalNeverShed(r: ReplayResult): void {
  for (const c of r.commands) {
    if (loadOf(r, c.cmd.load).critical && c.cmd.state === 'off')
      assert.equal(c.cmd.reason, 'override', `critical ${c.cmd.load} switched off at ${c.t} s (${c.cmd.reason})`);
  }
}

function checkHourlyCap(r: ReplayResult): void {
  const cap = r.shedder.config.switchesPerHour;
  const byLoad = new Map<string, number[]>();
  for (const c of r.commands)
    if (c.cmd.reason === 'shed' || c.cmd.reason === 'restore')
      byLoad.set(c.cmd.load, [...(byLoad.get(c.cmd.load) ?? []), c.t]);
  for (const [load, times] of byLoad) {
    for (let i = 0; i < times.length; i++) {
      const inHour = times.filter((t) => t > times[i] - 3600 && t <= times[i]).length;
      assert.ok(inHour <= cap, `${load}: ${inHour} automatic switches in the hour up to ${times[i]} s; cap ${cap}`);
    }
  }
}

function checkOverridesRespected(r: ReplayResult): void {
  for (const c of r.commands) {
    if (c.override !== null)
      assert.equal(
        c.cmd.state,
        c.override.state,
        `${c.cmd.load} switched ${c.cmd.state} at ${c.t} s against an override ${c.override.state}`,
      );
  }
}

function checkOneCommandPerLoad(r: ReplayResult): void {
  for (const c of r.commands) {
    assert.equal(c.cmd.relays, loadOf(r, c.cmd.load).relays, `${c.cmd.load}: command for relays ${c.cmd.relays}`);
    assert.equal(c.sameStep, 1, `${c.cmd.load}: ${c.sameStep} commands in one step at ${c.t} s`);
  }
}

/**
 * Every run of seconds over the limit (or over the interval average's path to it), during which
 * enough sheddable load was on throughout, lasts at most the shed delay plus one reading, plus
 * one reading for each rise the controller could not foresee (power stepping up by more than
 * half the band from something it does not switch) and for each change made elsewhere that it
 * has not yet seen in a read-back (it may shed a load that is already off).
 */
function checkOverLimitBounded(r: ReplayResult): void {
  const cfg = r.shedder.config;
  const n = r.needW.length;
  let t = 0;
  while (t < n) {
    if (r.needW[t] <= 0) {
      t++;
      continue;
    }
    const start = t;
    let enough = true;
    let rises = 0;
    let unseen = 0;
    while (t < n && r.needW[t] > 0) {
      if (r.availableW[t] < r.needW[t]) enough = false;
      if (t > start && r.uncontrolledRiseW[t] > cfg.bandW / 2) rises++;
      unseen = Math.max(unseen, r.unseenChanges[t]);
      t++;
    }
    if (!enough || t === n) continue;
    const allowed = cfg.shedDelayS + 1 + rises + unseen;
    assert.ok(
      t - start <= allowed,
      `over the limit for ${t - start} s from ${start} s with enough sheddable load; allowed ${allowed} s (delay ${cfg.shedDelayS}, ${rises} unforeseen rises, ${unseen} changes made elsewhere not yet read back)`,
    );
  }
}

const allChecks = (r: ReplayResult): void => {
  checkMinTimes(r);
  checkCriticalNeverShed(r);
  checkHourlyCap(r);
  checkOverridesRespected(r);
  checkOneCommandPerLoad(r);
};

describe('load shedder over household profiles', () => {
  it('keeps minimum times, critical loads, the hourly cap, overrides and one command per load, through fail-safe spells', () => {
    fc.assert(
      fc.property(settingsArb(3, false, 'people-and-silences'), (s) => {
        allChecks(run(s));
      }),
      { numRuns: 12, seed: 0x5eed },
    );
  });

  it('keeps the limit (or interval average) within the shed delay plus one reading when enough sheddable load exists', () => {
    fc.assert(
      fc.property(settingsArb(3, true, 'people'), (s) => {
        const r = run(s);
        allChecks(r);
        checkOverLimitBounded(r);
      }),
      { numRuns: 12, seed: 0x5eed },
    );
  });

  it('replays a whole day without breaking any rule', () => {
    const s = fc.sample(settingsArb(24, false, 'people-and-silences'), { numRuns: 1, seed: 42 })[0];
    allChecks(run({ ...s, limitW: 7000, demandIntervalMin: 15 }));
  });
});
