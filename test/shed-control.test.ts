/** Example behaviours of the load shedder's control law, step by step with a fake clock. */
import assert from 'node:assert/strict';
import { createShedder, type Decision, type ShedState, type Shedder } from '../src/shed';
import { parseLimit, parseOverride, parseReading, type ShedEvent } from '../src/shed/events';
import { InputError } from '../src/errors';
import { shedStatus } from '../src/nodes/load-shedder/output';
import { catalogueTexts, loadCatalogues } from './helpers/node-texts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

const LOADS = [
  { name: 'pool pump', device: 'prm3-a', relays: '1', priority: 1, expectedW: 1000, minOnS: 10, minOffS: 10 },
  { name: 'water heater', device: 'prm3-a', relays: '2', priority: 2, expectedW: 3000, minOnS: 10, minOffS: 10 },
  { name: 'ev charger', device: 'prm3-b', relays: '1,2,3', priority: 3, expectedW: 7000, minOnS: 10, minOffS: 10 },
  { name: 'fridge', device: 'prm3-a', relays: '3', priority: 0, expectedW: 150, critical: true },
];

/** Drives the shedder like the node would: every command is carried out and confirmed at once. */
class Rig {
  readonly shedder: Shedder;
  state: ShedState;
  now = T0;
  masks: Record<string, number> = { 'prm3-a': 7, 'prm3-b': 7 };
  last!: Decision;
  log: Decision[] = [];
  autoConfirm = true;

  constructor(overrides: Record<string, unknown> = {}, loads: unknown[] = LOADS) {
    this.shedder = createShedder({
      loads,
      limitW: 10000,
      bandW: 500,
      shedDelayS: 5,
      restoreDelayS: 30,
      restoreGapS: 20,
      ...overrides,
    });
    this.state = this.shedder.initialState();
  }

  send(event: ShedEvent): Decision {
    const d = this.shedder.step(this.state, event, this.now);
    this.state = d.state;
    this.last = d;
    this.log.push(d);
    if (this.autoConfirm) {
      for (const c of d.commands) {
        const m = this.masks[c.device] ?? 0;
        this.masks[c.device] = c.state === 'on' ? m | c.relays : m & ~c.relays;
      }
      for (const c of d.commands) this.send({ type: 'commandResult', load: c.load, outcome: 'confirmed' });
    }
    return d;
  }

  /** Reads the relays back, then waits out the loads' minimum times (counted from the first read-back) at low power. */
  start(): void {
    this.readBack();
    this.readings(10, 3000);
    this.log = [];
  }

  readBack(): Decision {
    return this.send({ type: 'relayStates', masks: { ...this.masks } });
  }

  /** One reading a second for `seconds` seconds at `watts` (a function of what is on, if given). */
  readings(seconds: number, watts: number | ((r: Rig) => number)): void {
    for (let i = 0; i < seconds; i++) {
      this.now += 1000;
      this.send({ type: 'reading', watts: typeof watts === 'number' ? watts : watts(this) });
    }
  }

  /** Commands sent since the log was last cleared. */
  takeCommands(): Array<{ load: string; state: string; reason: string; relays: number; t: number }> {
    const out = this.log.flatMap((d) =>
      d.commands.map((c) => ({ load: c.load, state: c.state, reason: c.reason, relays: c.relays, t: 0 })),
    );
    this.log = [];
    return out;
  }

  on(load: string): boolean {
    const l = this.shedder.config.loads.find((x) => x.name === load)!;
    return ((this.masks[l.device] ?? 0) & l.relays) === l.relays;
  }
}

/** House power: 2 kW of unswitched load plus whatever switched loads are on. */
const house =
  (base: number) =>
  (r: Rig): number =>
    base +
    (r.on('pool pump') ? 1000 : 0) +
    (r.on('water heater') ? 3000 : 0) +
    (r.on('ev charger') ? 7000 : 0) +
    (r.on('fridge') ? 150 : 0);

/** The status line the node shows (and sends as the state message's `status`) for the rig's last view. */
function statusOf(rig: Rig): string {
  return shedStatus(rig.last.view, rig.shedder.config.failsafeAction, catalogueTexts('load-shedder')).text;
}

describe('load shedder control law', () => {
  before(loadCatalogues);

  describe('settings', () => {
    const base = { loads: LOADS, limitW: 10000 };
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['loads', { ...base, loads: [] }, /loads must be a non-empty array/],
      ['loads[0].relays', { ...base, loads: [{ ...LOADS[0], relays: '4' }] }, /relay number/],
      ['loads[0].minOnS', { ...base, loads: [{ ...LOADS[0], minOnS: 5 }] }, /at least the PRM3's own minimum of 10 s/],
      [
        'loads[0].minOffS',
        { ...base, prm3MinSwitchS: 30, loads: [{ ...LOADS[0], minOnS: 30, minOffS: 20 }] },
        /at least the PRM3's own minimum of 30 s/,
      ],
      ['loads[1].name', { ...base, loads: [LOADS[0], { ...LOADS[1], name: 'pool pump' }] }, /used by another load/],
      ['loads[1].relays', { ...base, loads: [LOADS[0], { ...LOADS[1], relays: '1' }] }, /share a relay of prm3-a/],
      ['loads[0].priority', { ...base, loads: [{ ...LOADS[0], priority: 'high' }] }, /priority/],
      ['limitW', { ...base, limitW: -1 }, /limitW must be a number of watts/],
      ['bandW', { ...base, bandW: 20000 }, /smaller than limitW/],
      ['failsafeAction', { ...base, failsafeAction: 'panic' }, /hold, shed-all, restore-all/],
      ['demandIntervalMin', { ...base, demandIntervalMin: 30 }, /15 or 60/],
      ['switchesPerHour', { ...base, switchesPerHour: 2.5 }, /whole number/],
    ];
    for (const [field, config, text] of bad) {
      it(`refuses a bad ${field}, naming it and the accepted forms`, () => {
        assert.throws(
          () => createShedder(config),
          (e: unknown) => e instanceof InputError && e.field === field && text.test(e.message),
        );
      });
    }

    it('takes editor strings and fills defaults, with load minimums at the PRM3 minimum', () => {
      const s = createShedder({
        loads: [{ name: ' spa ', device: 'd', relays: '1, 3', priority: '2', expectedW: '' }],
        limitW: '6000',
      });
      assert.equal(s.config.limitW, 6000);
      assert.deepEqual(
        { ...s.config.loads[0] },
        {
          name: 'spa',
          device: 'd',
          relays: 5,
          priority: 2,
          expectedW: null,
          minOnS: 10,
          minOffS: 10,
          critical: false,
          autoRestore: true,
        },
      );
      assert.equal(s.config.failsafeAction, 'hold');
      assert.equal(s.config.demandIntervalMin, null);
    });
  });

  describe('message parts', () => {
    const names = ['pool pump', 'spa'];
    it('reads an override, naming the wrong field and the accepted forms', () => {
      assert.deepEqual(parseOverride({ load: 'spa', state: 'off', forS: '90' }, 'msg.payload', names), {
        type: 'override',
        load: 'spa',
        state: 'off',
        forS: 90,
      });
      assert.deepEqual(parseOverride({ load: 'spa', state: 'auto' }, 'msg.payload', names), {
        type: 'override',
        load: 'spa',
        state: 'auto',
      });
      const refused: Array<[unknown, string, RegExp]> = [
        ['off', 'msg.payload', /\{load: "<name>", state: "on" \| "off" \| "auto", forS/],
        [{ load: 'sauna', state: 'off' }, 'msg.payload.load', /pool pump, spa/],
        [{ load: 'spa', state: 'OFF' }, 'msg.payload.state', /"on", "off" or "auto"/],
        [{ load: 'spa', state: 'on', forS: -5 }, 'msg.payload.forS', /seconds from 1/],
      ];
      for (const [value, field, text] of refused) {
        assert.throws(
          () => parseOverride(value, 'msg.payload', names),
          (e: unknown) => e instanceof InputError && e.field === field && text.test(e.message),
          JSON.stringify(value),
        );
      }
    });

    it('reads a limit and a reading as numbers or numeric strings', () => {
      assert.deepEqual(parseLimit('6500', 'msg.payload'), { type: 'limit', watts: 6500 });
      assert.deepEqual(parseReading(-1200.5, 'msg.payload'), { type: 'reading', watts: -1200.5 });
      assert.throws(
        () => parseLimit(0, 'msg.payload'),
        (e: unknown) => e instanceof InputError && e.field === 'msg.payload',
      );
      assert.throws(
        () => parseReading('lots', 'msg.payload'),
        (e: unknown) => e instanceof InputError && /number of watts/.test(e.message),
      );
      assert.throws(() => parseReading(Number.NaN, 'msg.payload'), InputError);
    });
  });

  it('sends nothing before it has read the relays back, however far over the limit', () => {
    const rig = new Rig();
    rig.readings(60, 20000);
    assert.deepEqual(rig.takeCommands(), []);
    rig.readBack();
    rig.readings(16, 20000);
    assert.ok(rig.takeCommands().length > 0, 'sheds once the relays are known and their minimum on time has passed');
  });

  it('sheds the lowest priority first, only after the delay, and a polyphase load in one command', () => {
    const rig = new Rig();
    rig.start();
    rig.readings(5, 13150); // 2 kW + all loads: 3150 W over
    assert.deepEqual(rig.takeCommands(), [], 'nothing inside the 5 s delay');
    rig.readings(1, 13150);
    // 3150 W + 500 W band: pool pump (1000) and water heater (3000) cover it.
    assert.deepEqual(
      rig.takeCommands().map((c) => [c.load, c.state, c.reason]),
      [
        ['pool pump', 'off', 'shed'],
        ['water heater', 'off', 'shed'],
      ],
    );
    rig.readings(3, house(2000));
    assert.deepEqual(rig.takeCommands(), [], 'under the limit: no further shed');
    rig.readings(10, 20000);
    const more = rig.takeCommands();
    assert.deepEqual(
      more.map((c) => [c.load, c.relays]),
      [['ev charger', 7]],
      'the three-phase charger is one command on relays 1,2,3',
    );
  });

  it('restores in reverse order, one at a time, after the delay and gap, only when the load fits under limit − band', () => {
    const rig = new Rig();
    rig.start();
    rig.readings(6, 13150);
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['pool pump', 'water heater'],
    );
    // 6.15 kW with both shed: the heater (3 kW) fits under 9.5 kW; it comes back first.
    rig.readings(30, house(-1000));
    assert.deepEqual(rig.takeCommands(), [], 'not before the restore delay');
    rig.readings(1, house(-1000));
    assert.deepEqual(
      rig.takeCommands().map((c) => [c.load, c.state, c.reason]),
      [['water heater', 'on', 'restore']],
    );
    rig.readings(30, house(-1000));
    assert.deepEqual(rig.takeCommands(), [], 'the pool pump (1 kW) does not fit: 9.15 kW + 1 kW is over 9.5 kW');
    rig.readings(1, house(-2000));
    assert.deepEqual(
      rig.takeCommands().map((c) => [c.load, c.state]),
      [['pool pump', 'on']],
    );
    assert.ok(rig.last.view.loads.every((l) => !l.shed));
  });

  it('waits the gap between two restores', () => {
    const rig = new Rig();
    rig.start();
    rig.readings(6, 13150);
    rig.takeCommands();
    rig.readings(31, house(-3000));
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['water heater'],
    );
    rig.readings(19, house(-3000));
    assert.deepEqual(rig.takeCommands(), [], 'inside the 20 s gap');
    rig.readings(1, house(-3000));
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['pool pump'],
    );
  });

  it('shows a countdown to restore, the lockout left and a status line', () => {
    const rig = new Rig();
    rig.start();
    rig.readings(6, 13150);
    rig.readings(3, house(1000));
    const [pump, heater] = rig.last.view.loads;
    assert.equal(heater.shed, true);
    assert.equal(heater.owner, 'auto');
    assert.equal(heater.lockoutS, 7);
    assert.equal(heater.restoreInS, null, '3 kW does not fit under 9.5 kW at 8.15 kW: it waits for room');
    assert.equal(pump.restoreInS, 28, 'the pool pump fits: 28 s of the 30 s restore delay left');
    assert.match(heater.reason, /^shed: 13150 W against a limit of 10000 W/);
    assert.equal(heater.confirmed, true);
    assert.equal(statusOf(rig), '8.2 / 10.0 kW · shed: pool pump, water heater');
  });

  it('leaves a load without auto-restore shed until a person restores it', () => {
    const rig = new Rig({}, [{ ...LOADS[0], autoRestore: false }, ...LOADS.slice(1)]);
    rig.start();
    rig.readings(6, 10400);
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['pool pump'],
    );
    rig.readings(600, 0);
    assert.deepEqual(rig.takeCommands(), []);
    assert.equal(rig.last.view.loads[0].restoreInS, null);
    rig.send({ type: 'override', load: 'pool pump', state: 'on', forS: 60 });
    assert.deepEqual(
      rig.takeCommands().map((c) => [c.load, c.state, c.reason]),
      [['pool pump', 'on', 'override']],
    );
  });

  it('raises one alarm when everything sheddable is shed and power stays over, and never sheds a critical load', () => {
    const rig = new Rig();
    rig.start();
    rig.readings(300, 30000);
    const commands = rig.takeCommands();
    assert.deepEqual(commands.map((c) => c.load).sort(), ['ev charger', 'pool pump', 'water heater']);
    assert.equal(rig.last.view.alarm !== null, true);
    assert.match(statusOf(rig), /ALARM/);
    assert.equal(rig.on('fridge'), true);
    rig.readings(5, 5000);
    assert.equal(rig.last.view.alarm, null, 'the alarm clears under limit − band');
  });

  it('raises no alarm for readings that come before the relays are read back', () => {
    const rig = new Rig({ shedDelayS: 0 });
    rig.readings(3, 30000);
    assert.equal(rig.last.view.alarm, null, 'nothing is known to be shed yet');
    assert.deepEqual(
      rig.log.flatMap((d) => d.events.map((e) => e.code)),
      [],
    );
    rig.readBack();
    rig.readings(15, 30000);
    assert.ok(rig.takeCommands().length > 0, 'once read back, it sheds');
  });

  it('raises the alarm event once, not once a reading', () => {
    const rig = new Rig();
    rig.start();
    let alarms = 0;
    for (let i = 0; i < 300; i++) {
      rig.now += 1000;
      alarms += rig.send({ type: 'reading', watts: 30000 }).events.filter((e) => e.code === 'alarm').length;
    }
    assert.equal(alarms, 1);
  });

  it('keeps one alarm while power hovers around the limit, and ends it only under limit − band', () => {
    const rig = new Rig();
    rig.start();
    let alarms = 0;
    for (let i = 0; i < 300; i++) {
      rig.now += 1000;
      alarms += rig
        .send({ type: 'reading', watts: i < 30 ? 30000 : 9900 + (i % 2) * 200 })
        .events.filter((e) => e.code === 'alarm').length;
    }
    assert.equal(alarms, 1);
    assert.notEqual(rig.last.view.alarm, null);
    rig.readings(1, 9400);
    assert.equal(rig.last.view.alarm, null);
  });

  it('learns the power of a load without expectedW from the drop when it is shed alone', () => {
    const rig = new Rig({}, [{ name: 'spa', device: 'prm3-a', relays: '1', priority: 1, minOnS: 10, minOffS: 10 }]);
    rig.start();
    rig.readings(6, 11000);
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['spa'],
    );
    rig.readings(1, 8600);
    assert.equal(rig.last.view.loads[0].expectedW, 2400);
    // Now known: it comes back only when 2.4 kW fits under 9.5 kW.
    rig.readings(120, 7500);
    assert.deepEqual(rig.takeCommands(), []);
    rig.readings(40, 7000);
    assert.deepEqual(
      rig.takeCommands().map((c) => [c.load, c.state]),
      [['spa', 'on']],
    );
  });

  it('caps automatic switches per load per hour', () => {
    const rig = new Rig({ switchesPerHour: 2, restoreDelayS: 0, restoreGapS: 0 }, [LOADS[0]]);
    rig.start();
    for (let i = 0; i < 10; i++) {
      rig.readings(20, (r) => (r.on('pool pump') ? 11000 : 5000));
    }
    assert.deepEqual(
      rig.takeCommands().map((c) => c.state),
      ['off', 'on'],
      'two switches, then it waits',
    );
    rig.readings(3600, (r) => (r.on('pool pump') ? 11000 : 5000));
    assert.ok(rig.takeCommands().length >= 1, 'switches again once the hour has passed');
  });

  it("does not count a person's override against the hourly cap", () => {
    const rig = new Rig({ switchesPerHour: 1 }, [LOADS[0]]);
    rig.start();
    rig.send({ type: 'override', load: 'pool pump', state: 'off', forS: 60 });
    rig.send({ type: 'override', load: 'pool pump', state: 'on', forS: 60 });
    rig.readings(30, 1000);
    assert.deepEqual(
      rig.takeCommands().map((c) => [c.state, c.reason]),
      [
        ['off', 'override'],
        ['on', 'override'],
      ],
    );
    assert.equal(rig.last.view.loads[0].switchesLastHour, 0);
    rig.send({ type: 'override', load: 'pool pump', state: 'auto' });
    rig.readings(6, 10400);
    assert.deepEqual(
      rig.takeCommands().map((c) => [c.state, c.reason]),
      [['off', 'shed']],
    );
    assert.equal(rig.last.view.loads[0].switchesLastHour, 1);
  });

  describe('demand interval', () => {
    it('starts intervals on the local quarter hours in every zone, on the local hour only in whole-hour zones', () => {
      // Offsets east of UTC, in minutes: Belgium, California, India, Newfoundland, Nepal, central Australia.
      const zones: Record<string, number> = { CET: 60, PST: -480, IST: 330, NST: -210, NPT: 345, ACST: 570 };
      const localMinute = (utcMs: number, offsetMin: number): number =>
        (((Math.round(utcMs / 60_000) + offsetMin) % 60) + 60) % 60;
      for (const minutes of [15, 60]) {
        const rig = new Rig({ demandIntervalMin: minutes, limitW: 50_000 }, [LOADS[1]]);
        rig.now = Date.UTC(2026, 5, 1, 10, 37, 12);
        rig.start();
        const start = rig.last.view.projection?.intervalStart;
        assert.ok(start !== undefined && start <= rig.now && rig.now - start < minutes * 60_000);
        for (const [zone, offset] of Object.entries(zones)) {
          const minute = localMinute(start, offset);
          if (minutes === 15) assert.equal(minute % 15, 0, `${zone}: a local quarter hour`);
          else if (offset % 60 === 0) assert.equal(minute, 0, `${zone}: on the local hour`);
          else assert.equal(minute, zone === 'NPT' ? 45 : 30, `${zone}: a quarter to, or half past, the local hour`);
        }
      }
    });

    it('sheds when the interval average is heading over, even with present power under the limit', () => {
      const rig = new Rig({ demandIntervalMin: 15, limitW: 6000, bandW: 200, shedDelayS: 0 }, [LOADS[1]]);
      rig.now = T0 - 1000;
      rig.start();
      // Ten minutes at 7 kW while a person holds the heater on; then 2.5 kW of other load.
      rig.send({ type: 'override', load: 'water heater', state: 'on', forS: 591 });
      rig.readings(590, (r) => 4000 + (r.on('water heater') ? 3000 : 0));
      rig.takeCommands();
      rig.readings(1, (r) => 2500 + (r.on('water heater') ? 3000 : 0));
      assert.equal(rig.last.view.powerW, 5500, 'present power is under the 6 kW limit');
      assert.deepEqual(
        rig.takeCommands().map((c) => [c.load, c.reason]),
        [['water heater', 'shed']],
      );
      rig.readings(1, (r) => 2500 + (r.on('water heater') ? 3000 : 0));
      const proj = rig.last.view.projection;
      assert.ok(proj && proj.intervalStart === T0 && proj.projectedW <= 6000 - 200, JSON.stringify(proj));
    });

    it('does not shed for a late spike in a quiet interval that still ends under the limit', () => {
      const rig = new Rig({ demandIntervalMin: 15, limitW: 5000, shedDelayS: 0 }, [LOADS[1]]);
      rig.now = T0 - 1000;
      rig.start();
      rig.readings(600, 1000);
      rig.readings(120, 8000); // over 5 kW now, but the 15 min average stays at ~2.7 kW
      assert.deepEqual(rig.takeCommands(), []);
      const p = rig.last.view.projection!;
      assert.ok(p.projectedW < 5000, String(p.projectedW));
      assert.match(statusOf(rig), / avg/);
    });

    it('restores only what fits under limit − band in present power too, not just in the interval budget', () => {
      const rig = new Rig(
        { demandIntervalMin: 15, limitW: 6000, bandW: 200, shedDelayS: 0, restoreDelayS: 0, restoreGapS: 0 },
        [LOADS[1]],
      );
      rig.now = T0 - 1000;
      rig.masks = { 'prm3-a': 0 };
      rig.readBack();
      // A quiet interval: its budget would allow 3 kW more, but 4 kW + 3 kW is over 5.8 kW now.
      rig.readings(600, (r) => 500 + (r.on('water heater') ? 3000 : 0));
      assert.deepEqual(
        rig.takeCommands().map((c) => c.load),
        ['water heater'],
        'it fits at 0.5 kW',
      );
      rig.readings(30, (r) => 4000 + (r.on('water heater') ? 3000 : 0));
      assert.deepEqual(
        rig.takeCommands().map((c) => c.reason),
        [],
        'at 7 kW the average still ends under 6 kW: no shed',
      );
      rig.send({ type: 'override', load: 'water heater', state: 'off', forS: 20 });
      rig.readings(40, (r) => 4000 + (r.on('water heater') ? 3000 : 0));
      assert.deepEqual(
        rig.takeCommands().map((c) => [c.state, c.reason]),
        [['off', 'override']],
        'not restored: 4 kW + 3 kW is over 5.8 kW',
      );
    });

    it('sees the same projection at a read-back between readings, so read-backs do not restart the shed delay', () => {
      const rig = new Rig({ demandIntervalMin: 15, limitW: 5000, bandW: 200, shedDelayS: 5 }, [LOADS[1]]);
      rig.now = T0 - 11_000;
      rig.start(); // in the interval before: the one under test starts with the loop
      const power = (r: Rig): number => 2004 + (r.on('water heater') ? 3000 : 0); // 4 W over
      for (let i = 0; i < 60 && rig.on('water heater'); i++) {
        rig.readings(1, power);
        const atReading = rig.last.view.projection!.projectedW;
        rig.now += 500;
        const between = rig.readBack().view.projection!.projectedW;
        assert.ok(Math.abs(between - atReading) < 1e-6, `${between} vs ${atReading}`);
        rig.now -= 500;
      }
      assert.equal(rig.on('water heater'), false, 'shed after the delay although read-backs came in between');
    });

    it('projects from the energy so far and present power to the end of the clock-aligned interval', () => {
      const rig = new Rig({ demandIntervalMin: 15, limitW: 50000 }, [LOADS[1]]);
      rig.now = T0 - 1000;
      rig.start();
      rig.readings(300, 3000);
      rig.readings(1, 6000);
      const p = rig.last.view.projection!;
      assert.equal(p.intervalStart, T0);
      assert.equal(p.intervalEnd, T0 + 900_000);
      assert.equal(p.secondsLeft, 590);
      // 310 s at 3 kW so far, then 6 kW held for the remaining 590 s of the 900 s interval.
      assert.equal(Math.round(p.projectedW), Math.round((310 * 3000 + 6000 * 590) / 900));
      assert.equal(Math.round(p.averageSoFarW), 3000);
    });
  });

  describe('manual control', () => {
    it('carries out an override, never reverses it before it expires, then hands the load back', () => {
      const rig = new Rig();
      rig.start();
      rig.readings(15, 5000);
      const d = rig.send({ type: 'override', load: 'pool pump', state: 'on', forS: 120 });
      assert.equal(d.events[0].code, 'override');
      rig.readings(100, 30000); // far over: everything else is shed, the pool pump is not
      const cmds = rig.takeCommands();
      assert.ok(!cmds.some((c) => c.load === 'pool pump'), JSON.stringify(cmds));
      const pump = rig.last.view.loads[0];
      assert.equal(pump.owner, 'manual');
      assert.equal(pump.overrideUntil, T0 + 25_000 + 120_000);
      rig.readings(20, 30000);
      assert.ok(rig.log.some((x) => x.events.some((e) => e.code === 'override-expired' && e.load === 'pool pump')));
      assert.ok(rig.takeCommands().some((c) => c.load === 'pool pump' && c.state === 'off' && c.reason === 'shed'));
    });

    it('waits out the minimum time before carrying out an override', () => {
      const rig = new Rig();
      rig.start();
      rig.readings(6, 11100);
      assert.deepEqual(
        rig.takeCommands().map((c) => c.load),
        ['pool pump', 'water heater'],
      );
      rig.send({ type: 'override', load: 'pool pump', state: 'on', forS: 600 });
      assert.deepEqual(rig.takeCommands(), [], 'inside its 10 s minimum off time');
      rig.readings(10, 5000);
      assert.deepEqual(
        rig.takeCommands().map((c) => [c.load, c.state, c.reason]),
        [['pool pump', 'on', 'override']],
      );
    });

    it('treats a change made elsewhere as manual control and does not fight it', () => {
      const rig = new Rig({ externalOverrideS: 300 });
      rig.start();
      rig.readings(6, 11100);
      rig.takeCommands();
      rig.masks['prm3-a'] = (rig.masks['prm3-a'] ?? 0) | 2; // someone switches the water heater back on
      const d = rig.readBack();
      assert.deepEqual(
        d.events.map((e) => [e.code, e.load]),
        [['override', 'water heater']],
      );
      assert.equal(d.view.loads[1].owner, 'manual');
      rig.readings(200, 15000);
      assert.ok(!rig.takeCommands().some((c) => c.load === 'water heater'));
    });

    it('treats a polyphase load with only some relays closed as changed elsewhere, and leaves it alone', () => {
      const rig = new Rig();
      rig.start();
      rig.masks['prm3-b'] = 3;
      const d = rig.readBack();
      assert.deepEqual(
        d.events.map((e) => [e.code, e.load, e.text]),
        [['override', 'ev charger', 'some of its relays changed elsewhere: manual']],
      );
      rig.readings(120, 30000);
      assert.ok(!rig.takeCommands().some((c) => c.load === 'ev charger'));
    });

    it('"auto" ends an override at once', () => {
      const rig = new Rig();
      rig.start();
      rig.send({ type: 'override', load: 'ev charger', state: 'off', forS: 3600 });
      rig.readings(11, 5000);
      assert.deepEqual(
        rig.takeCommands().map((c) => [c.load, c.state]),
        [['ev charger', 'off']],
      );
      rig.send({ type: 'override', load: 'ev charger', state: 'auto' });
      assert.equal(rig.last.view.loads[2].owner, 'auto');
      rig.readings(31, 2000);
      assert.deepEqual(
        rig.takeCommands().map((c) => [c.load, c.state, c.reason]),
        [['ev charger', 'on', 'restore']],
      );
    });

    it('refuses an override for a load it does not own', () => {
      const rig = new Rig();
      assert.throws(
        () => rig.send({ type: 'override', load: 'sauna', state: 'off' }),
        (e: unknown) => e instanceof InputError && /sauna/.test(e.message),
      );
    });
  });

  describe('fail-safe', () => {
    it('sheds all non-critical loads when readings stop, and resumes by itself', () => {
      const rig = new Rig({ failsafeAfterS: 30, failsafeAction: 'shed-all' });
      rig.start();
      rig.readings(20, 5000);
      for (let i = 0; i < 30; i++) {
        rig.now += 1000;
        rig.send({ type: 'tick' });
      }
      assert.deepEqual(rig.takeCommands(), [], 'not before 30 s without a reading');
      rig.now += 1000;
      const d = rig.send({ type: 'tick' });
      assert.equal(d.events[0].code, 'failsafe');
      assert.deepEqual(
        rig.takeCommands().map((c) => [c.load, c.state, c.reason]),
        [
          ['pool pump', 'off', 'failsafe'],
          ['water heater', 'off', 'failsafe'],
          ['ev charger', 'off', 'failsafe'],
        ],
      );
      assert.equal(rig.last.view.loads[0].owner, 'failsafe');
      assert.match(statusOf(rig), /fail-safe \(shed-all\)/);
      rig.readings(1, 2000);
      assert.equal(rig.last.view.failsafe, false);
      assert.equal(rig.last.view.loads[0].owner, 'auto');
      rig.readings(120, 2000);
      assert.deepEqual(
        rig.takeCommands().map((c) => c.load),
        ['ev charger', 'water heater', 'pool pump'],
        'restored one at a time, highest priority first',
      );
    });

    it('holds everything as it is with the hold action', () => {
      const rig = new Rig({ failsafeAfterS: 10 });
      rig.start();
      rig.readings(1, 5000);
      for (let i = 0; i < 60; i++) {
        rig.now += 1000;
        rig.send({ type: 'tick' });
      }
      assert.equal(rig.last.view.failsafe, true);
      assert.deepEqual(rig.takeCommands(), []);
    });

    it('restores all shed loads when the meter is unreachable, with restore-all', () => {
      const rig = new Rig({ failsafeAction: 'restore-all' });
      rig.start();
      rig.readings(6, 11100);
      assert.equal(rig.takeCommands().length, 2);
      rig.readings(10, 9000);
      rig.send({ type: 'meter', reachable: false });
      assert.deepEqual(
        rig.takeCommands().map((c) => [c.load, c.state, c.reason]),
        [
          ['pool pump', 'on', 'failsafe'],
          ['water heater', 'on', 'failsafe'],
        ],
      );
      rig.readings(30, 9000);
      assert.equal(rig.last.view.failsafe, true, 'readings from elsewhere do not make the meter reachable');
      rig.send({ type: 'meter', reachable: true });
      assert.equal(rig.last.view.failsafe, false);
      assert.deepEqual(
        rig.last.events.map((e) => [e.code, e.text]),
        [['failsafe', 'readings and meter back: automatic control resumed']],
      );
    });

    it('leaves a load under manual control alone', () => {
      const rig = new Rig({ failsafeAfterS: 10, failsafeAction: 'shed-all' });
      rig.start();
      rig.send({ type: 'override', load: 'ev charger', state: 'on', forS: 3600 });
      rig.send({ type: 'meter', reachable: false });
      assert.ok(!rig.takeCommands().some((c) => c.load === 'ev charger'));
    });
  });

  it('applies a new limit at run time and says so', () => {
    const rig = new Rig();
    rig.start();
    rig.readings(10, house(-2150));
    const d = rig.send({ type: 'limit', watts: 8000 });
    assert.deepEqual(
      d.events.map((e) => [e.code, e.limitW]),
      [['limit-changed', 8000]],
    );
    rig.readings(6, house(-2150));
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['pool pump', 'water heater'],
    );
  });

  it('switches nothing while disabled, and resumes with fresh delays when enabled', () => {
    const rig = new Rig();
    rig.start();
    rig.send({ type: 'disable' });
    rig.readings(60, 20000);
    assert.deepEqual(rig.takeCommands(), []);
    assert.match(statusOf(rig), /disabled/);
    rig.send({ type: 'enable' });
    rig.readings(4, 20000);
    assert.deepEqual(rig.takeCommands(), [], 'the shed delay counts from enabling');
    rig.readings(1, 20000);
    assert.ok(rig.takeCommands().length > 0);
  });

  it('retries a command the PRM3 held, after the retry wait, and shows it held', () => {
    const rig = new Rig({ retryS: 20 });
    rig.start();
    rig.autoConfirm = false;
    rig.readings(6, 10400);
    const [cmd] = rig.last.commands;
    assert.equal(cmd.load, 'pool pump');
    rig.autoConfirm = true;
    const held = rig.send({ type: 'commandResult', load: 'pool pump', outcome: 'held' });
    assert.deepEqual(
      held.commands.map((c) => c.load),
      ['water heater'],
      'the next load is shed at once instead',
    );
    assert.equal(held.view.loads[0].held, true);
    assert.equal(held.view.loads[0].confirmed, false);
    assert.match(held.view.loads[0].reason, /held by the PRM3/);
    rig.takeCommands();
    rig.readings(19, 10400);
    assert.ok(!rig.takeCommands().some((c) => c.load === 'pool pump'));
    rig.readings(1, 10400);
    assert.ok(rig.takeCommands().some((c) => c.load === 'pool pump'));
  });

  describe('restart', () => {
    it('keeps the shed set, overrides and minimum-time clocks, and reads the relays before any switch', () => {
      const rig = new Rig({ restoreDelayS: 0, restoreGapS: 0 }, [{ ...LOADS[0], minOffS: 300 }, ...LOADS.slice(1)]);
      rig.start();
      rig.readings(6, 11100);
      rig.send({ type: 'override', load: 'ev charger', state: 'on', forS: 3600 });
      rig.takeCommands();
      const stored = rig.shedder.serialise(rig.state);

      const again = new Rig({ restoreDelayS: 0, restoreGapS: 0 }, [{ ...LOADS[0], minOffS: 300 }, ...LOADS.slice(1)]);
      again.masks = { ...rig.masks };
      again.now = rig.now + 5000;
      again.state = again.shedder.restoreState(JSON.parse(stored));
      again.readings(5, 2000);
      assert.deepEqual(again.takeCommands(), [], 'nothing before the read-back');
      again.readBack();
      again.readings(60, 2000);
      const cmds = again.takeCommands();
      assert.deepEqual(
        cmds.map((c) => c.load),
        ['water heater'],
        'the pool pump is still inside its 300 s off time',
      );
      const view = again.last.view.loads;
      assert.equal(view[0].shed, true);
      assert.equal(view[2].owner, 'manual');
    });

    it('counts a relay changed while it was down as a change made elsewhere', () => {
      const rig = new Rig();
      rig.start();
      rig.readings(6, 11100);
      const stored = rig.shedder.serialise(rig.state);
      const again = new Rig();
      again.state = again.shedder.restoreState(stored);
      again.now = rig.now + 60_000;
      again.masks = { 'prm3-a': 7, 'prm3-b': 7 };
      const d = again.readBack();
      assert.deepEqual(d.events.map((e) => [e.code, e.load]).sort(), [
        ['override', 'pool pump'],
        ['override', 'water heater'],
      ]);
    });

    it('refuses a damaged stored state, naming the field', () => {
      const s = createShedder({ loads: LOADS, limitW: 10000 });
      const good = JSON.parse(s.serialise(s.initialState())) as Record<string, unknown>;
      assert.throws(
        () => s.restoreState('{"version":1'),
        (e: unknown) => e instanceof InputError && e.field === 'state',
      );
      assert.throws(
        () => s.restoreState({ ...good, version: 2 }),
        (e: unknown) => e instanceof InputError && e.field === 'version',
      );
      assert.throws(
        () => s.restoreState({ ...good, limitW: 'lots' }),
        (e: unknown) => e instanceof InputError && e.field === 'limitW',
      );
      const loads = good.loads as Record<string, Record<string, unknown>>;
      const broken = { ...good, loads: { ...loads, 'pool pump': { ...loads['pool pump'], owner: 'nobody' } } };
      assert.throws(
        () => s.restoreState(broken),
        (e: unknown) => e instanceof InputError && e.field === 'loads["pool pump"].owner',
      );
    });
  });

  it('waits for a reading taken after a shed took effect before shedding more', () => {
    const rig = new Rig();
    rig.start();
    rig.autoConfirm = false;
    rig.readings(6, 10400);
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['pool pump'],
    );
    rig.readings(3, 10400);
    assert.deepEqual(rig.takeCommands(), [], 'nothing more while the shed is unanswered');
    const confirmed = rig.send({ type: 'commandResult', load: 'pool pump', outcome: 'confirmed' });
    assert.deepEqual(confirmed.commands, [], 'the reading in hand was taken before the pool pump went off');
    rig.readings(1, 10400);
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['water heater'],
    );
  });

  it('counts a command with no answer as failed after the command timeout, and tries again after the retry wait', () => {
    const rig = new Rig({ commandTimeoutS: 15, retryS: 10 }, [LOADS[0]]);
    rig.start();
    rig.autoConfirm = false;
    rig.readings(6, 10400);
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['pool pump'],
    );
    rig.readings(14, 10400);
    assert.equal(rig.last.view.loads[0].confirmed, false);
    rig.readings(1, 10400);
    assert.match(rig.last.view.loads[0].reason, /failed$/);
    assert.deepEqual(rig.takeCommands(), []);
    rig.readings(10, 10400);
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['pool pump'],
    );
  });

  it('counts a load found off at its first read-back as shed, and brings it back when it fits', () => {
    const rig = new Rig({ restoreDelayS: 5 });
    rig.masks = { 'prm3-a': 4, 'prm3-b': 7 };
    const d = rig.readBack();
    assert.equal(d.view.loads[0].shed, true);
    assert.equal(d.view.loads[0].reason, 'found off: comes back when it fits');
    assert.equal(d.view.loads[3].shed, false, 'the fridge is critical: never counted as shed');
    rig.readings(40, house(-6000));
    assert.deepEqual(
      rig.takeCommands().map((c) => c.load),
      ['water heater', 'pool pump'],
    );
  });

  it('never changes the state it was given', () => {
    const rig = new Rig();
    rig.start();
    const before = rig.shedder.serialise(rig.state);
    const frozen = rig.state;
    rig.shedder.step(frozen, { type: 'reading', watts: 50000 }, rig.now + 60_000);
    rig.shedder.step(frozen, { type: 'override', load: 'pool pump', state: 'off' }, rig.now + 60_000);
    assert.equal(rig.shedder.serialise(frozen), before);
  });
});
