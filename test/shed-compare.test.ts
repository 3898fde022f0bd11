/**
 * The shedding comparison's replay and its two reference controllers: the example function node
 * the package used to ship, run in its sandbox, and the naive threshold controller.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { replayDay, type DayFigures } from '../bench/shed/compare';
import {
  exampleController,
  nodeController,
  readExampleFunction,
  thresholdController,
  type Controller,
  type ReplayLoad,
} from '../bench/shed/controllers';
import type { HouseholdProfile } from '../bench/shed/household-profile';
import { front } from '../bench/shed/plot';

const ROOT = path.resolve(__dirname, '..', '..');
const START = Date.UTC(2026, 0, 5);
const LIMIT_W = 5000;

/** Two loads on one PRM3: the pool pump goes first. */
const LOADS: ReplayLoad[] = [
  { name: 'water heater', device: 'prm3-a', relays: 1, priority: 2, nominalW: 3000 },
  { name: 'pool pump', device: 'prm3-a', relays: 2, priority: 1, nominalW: 1000 },
];

/** The house draws `unswitched(t)` W besides the two loads, which draw their nominal power when closed. */
function profile(seconds: number, unswitched: (t: number) => number): HouseholdProfile {
  return {
    seed: 0,
    startMs: START,
    seconds,
    unswitchedW: Float64Array.from({ length: seconds }, (_, t) => unswitched(t)),
    switched: LOADS.map((l) => ({
      kind: 'water-heater' as const,
      nominalW: l.nominalW,
      demandW: new Float64Array(seconds).fill(l.nominalW),
    })),
  };
}

interface Sent {
  t: number;
  load: string;
  on: boolean;
  outcome: 'confirmed' | 'held';
}

function run(p: HouseholdProfile, controller: Controller): { figures: DayFigures; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording: Controller = {
    second: (now, watts, masks, apply) =>
      controller.second(now, watts, masks, (i, on) => {
        const outcome = apply(i, on);
        sent.push({ t: (now - START) / 1000, load: LOADS[i]?.name ?? '?', on, outcome });
        return outcome;
      }),
  };
  return { figures: replayDay(p, LOADS, LIMIT_W, 10, 15, recording), sent };
}

describe('shedding comparison: the naive threshold controller', function () {
  it('sheds the lowest-priority load at the first reading over the limit, the next at the next reading', function () {
    // 2 kW of house + 4 kW of loads: 6 kW from the start, then 2 kW + water heater = 5 kW is not over.
    const { sent } = run(
      profile(5, () => 2500),
      thresholdController(LOADS, LIMIT_W),
    );
    assert.deepEqual(sent.slice(0, 2), [
      { t: 0, load: 'pool pump', on: false, outcome: 'confirmed' },
      { t: 1, load: 'water heater', on: false, outcome: 'confirmed' },
    ]);
  });

  it('puts a load back at the first reading under the limit, and the PRM3 holds what comes too early', function () {
    // 4.5 kW of house: the pool pump alone keeps it at 5.5 kW, so it flaps at the PRM3's pace.
    const { figures, sent } = run(
      profile(60, () => 4500),
      thresholdController(LOADS, LIMIT_W),
    );
    const confirmed = sent.filter((s) => s.outcome === 'confirmed');
    assert.deepEqual(
      confirmed.slice(0, 4).map((s) => [s.t, s.load, s.on]),
      [
        [0, 'pool pump', false],
        [1, 'water heater', false],
        [11, 'water heater', true],
        [21, 'water heater', false],
      ],
    );
    assert.ok(
      sent.some((s) => s.outcome === 'held' && s.t === 2),
      'the restore a second after the shed is held',
    );
    assert.equal(figures.switches, confirmed.length);
    assert.equal(figures.commands, sent.length);
    // Over the limit from each restore until the shed the PRM3 lets through.
    assert.ok(figures.overLimitS >= 20, `${figures.overLimitS} s over the limit`);
  });

  it('waits for its delay and restores only under limit − band when given them', function () {
    // 1.5 kW of house: shedding the pool pump is enough; at 0.5 kW it fits back under 4 kW.
    const { sent } = run(
      profile(120, (t) => (t < 60 ? 1500 : 500)),
      thresholdController(LOADS, LIMIT_W, { delayS: 5, restoreBelowW: 1000 }),
    );
    assert.deepEqual(
      sent.map((s) => [s.t, s.load, s.on]),
      [
        [5, 'pool pump', false],
        [65, 'pool pump', true],
      ],
    );
  });
});

describe('shedding comparison: the example function node as it shipped', function () {
  const example = readExampleFunction(ROOT);

  it('runs in its sandbox: sheds a load after holding over the limit for SHED_HOLD_S, the next after as long again', function () {
    const { sent } = run(
      profile(30, () => 2500),
      exampleController(example, LOADS, LIMIT_W),
    );
    // The example's defaults: hold 10 s; never switch a load again within 15 s.
    assert.deepEqual(
      sent.map((s) => [s.t, s.load, s.on]),
      [
        [10, 'pool pump', false],
        [20, 'water heater', false],
      ],
    );
  });

  it('restores in reverse once power has stayed under limit − hysteresis for the hold time', function () {
    const { sent } = run(
      profile(100, (t) => (t < 12 ? 2500 : 200)),
      exampleController(example, LOADS, LIMIT_W, { hysteresisW: 1000, holdS: 5 }),
    );
    assert.deepEqual(
      sent.map((s) => [s.t, s.load, s.on]),
      [
        [5, 'pool pump', false],
        [10, 'water heater', false],
        // Under 4 kW from 11 s; the water heater waits out the example's own 15 s minimum.
        [25, 'water heater', true],
        // Back on, it puts power at 3.2 kW: still under 4 kW, so the pool pump follows after the hold.
        [30, 'pool pump', true],
      ],
    );
  });

  it('gets nothing back from the relays: a restore the PRM3 held leaves the load off for good', function () {
    // The example's own minimum (SHED_MIN_SWITCH_S) set under the PRM3's 10 s: its restores are held.
    const { figures, sent } = run(
      profile(60, (t) => (t < 3 ? 2500 : 200)),
      exampleController(example, LOADS, LIMIT_W, { holdS: 1, minSwitchS: 1, hysteresisW: 100 }),
    );
    assert.deepEqual(
      sent.map((s) => [s.t, s.load, s.on, s.outcome]),
      [
        [1, 'pool pump', false, 'confirmed'],
        [2, 'water heater', false, 'confirmed'],
        [4, 'water heater', true, 'held'],
        [5, 'pool pump', true, 'held'],
      ],
    );
    assert.equal(figures.switches, 2);
    // Both stay off to the end: the example believes them on.
    assert.equal(Math.round(figures.shedEnergyKWh * 3_600_000), 1000 * 58 + 3000 * 57);
  });
});

describe('shedding comparison: the load shedder in the same replay', function () {
  it('sheds enough at once for the excess and band, and puts back only what fits under limit − band', function () {
    // 6.5 kW: 1.5 kW over, so both loads go (1 kW alone is short of 1.5 kW + 300 W) once their
    // minimum on time, counted from the first read-back, is over. 2.5 kW is left: the pool
    // pump fits under 4.7 kW after the 60 s restore delay, the water heater never does.
    const { sent } = run(
      profile(600, () => 2500),
      nodeController(LOADS, LIMIT_W, 10, null, {}),
    );
    assert.deepEqual(
      sent.map((s) => [s.t, s.load, s.on]),
      [
        [10, 'pool pump', false],
        [10, 'water heater', false],
        [71, 'pool pump', true],
      ],
    );
  });
});

describe('shedding comparison: the sweep plot', function () {
  it('draws a curve through the settings no other setting of the same controller beats on both figures', function () {
    const p = (overLimitS: number, switchesPerLoadDay: number) => ({
      settings: {},
      overLimitS,
      switchesPerLoadDay,
      shedEnergyKWh: 0,
    });
    const points = [p(100, 2), p(10, 20), p(50, 30), p(5, 50), p(100, 3)];
    assert.deepEqual(
      front(points).map((q) => [q.overLimitS, q.switchesPerLoadDay]),
      [
        [100, 2],
        [10, 20],
        [5, 50],
      ],
    );
  });
});
