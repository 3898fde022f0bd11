/** What the relay widget makes of a load shedder's state messages and of `prm3 mask` outputs, and what its buttons send. */
import assert from 'node:assert/strict';
import {
  commandFor,
  emptyModel,
  fromMaskOutput,
  fromShedView,
  PanelInputError,
  parseOverrideRequest,
  withPending,
  type PanelModel,
} from '../dashboard/src/model';
import { createShedder, type Decision, type ShedState } from '../src/shed';
import { parseOverride, type ShedEvent } from '../src/shed/events';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const LOADS = [
  { name: 'pool pump', device: 'prm3-a', relays: '1', priority: 1, expectedW: 1000, minOnS: 10, minOffS: 10 },
  { name: 'water heater', device: 'prm3-a', relays: '2', priority: 2, expectedW: 3000, minOnS: 10, minOffS: 10 },
];
const WINDOW_S = 600;

/** A shedder stepped with a fake clock; each step's view goes to the widget as its state message does. */
class Feed {
  readonly shedder = createShedder({ loads: LOADS, limitW: 5000, bandW: 500, shedDelayS: 5, restoreDelayS: 30 });
  state: ShedState = this.shedder.initialState();
  now = T0;
  model: PanelModel = emptyModel(T0);

  send(event: ShedEvent): Decision {
    const d = this.shedder.step(this.state, event, this.now);
    this.state = d.state;
    this.model = fromShedView(JSON.parse(JSON.stringify(d.view)), this.model, this.now, WINDOW_S);
    return d;
  }

  row(name: string): PanelModel['loads'][number] {
    const row = this.model.loads.find((l) => l.key === name);
    assert.ok(row, `a row for ${name}`);
    return row;
  }

  /** Read back with both relays closed, then quiet readings past the minimum times. */
  start(): void {
    this.send({ type: 'relayStates', masks: { 'prm3-a': 3 } });
    for (let i = 0; i < 15; i++) {
      this.now += 1000;
      this.send({ type: 'reading', watts: 2000 });
    }
  }
}

describe('relay widget: what it shows and sends', function () {
  describe('fed by the load shedder', function () {
    it('shows a shed as pending until it is confirmed, then off with its owner, reason and restore countdown', function () {
      const feed = new Feed();
      feed.start();
      assert.equal(feed.row('pool pump').actual, 'on');
      let shed: Decision | undefined;
      for (let i = 0; i < 10 && (shed?.commands.length ?? 0) === 0; i++) {
        feed.now += 1000;
        shed = feed.send({ type: 'reading', watts: 6500 });
      }
      assert.equal(shed?.commands[0]?.load, 'pool pump', 'the lowest priority is shed');
      const inFlight = feed.row('pool pump');
      assert.equal(inFlight.actual, 'on', 'still on: the shed is not confirmed yet');
      assert.equal(inFlight.pending, true);
      feed.send({ type: 'commandResult', load: 'pool pump', outcome: 'confirmed' });
      feed.send({ type: 'relayStates', masks: { 'prm3-a': 2 } });
      const done = feed.row('pool pump');
      assert.equal(done.actual, 'off');
      assert.equal(done.pending, false);
      assert.equal(done.owner, 'auto');
      assert.match(done.reason ?? '', /shed|over/i);
      assert.equal(feed.model.limitW, 5000);
      feed.now += 1000;
      feed.send({ type: 'reading', watts: 2500 });
      const waiting = feed.row('pool pump');
      assert.ok(waiting.restoreInS !== null && waiting.restoreInS > 0, `restore countdown ${waiting.restoreInS}`);
      assert.ok(feed.model.history.length > 1, 'the chart has the readings');
      assert.equal(feed.model.history[feed.model.history.length - 1]?.[1], 2500);
    });

    it('shows a command the PRM3 held as held', function () {
      const feed = new Feed();
      feed.start();
      let shed: Decision | undefined;
      for (let i = 0; i < 10 && (shed?.commands.length ?? 0) === 0; i++) {
        feed.now += 1000;
        shed = feed.send({ type: 'reading', watts: 6500 });
      }
      feed.send({ type: 'commandResult', load: 'pool pump', outcome: 'held' });
      const row = feed.row('pool pump');
      assert.equal(row.held, true);
      assert.equal(row.pending, false);
      assert.equal(row.actual, 'on');
    });

    it('sends the override the shedder takes, which puts the load under manual control', function () {
      const feed = new Feed();
      feed.start();
      const request = parseOverrideRequest({ key: 'water heater', state: 'off', forS: 900 });
      const command = commandFor(feed.model, request);
      assert.ok(command);
      assert.equal(command.topic, 'override');
      const event = parseOverride(command.payload, 'msg.payload', ['pool pump', 'water heater']);
      assert.deepEqual(event, { type: 'override', load: 'water heater', state: 'off', forS: 900 });
      feed.model = withPending(feed.model, 'water heater', 'off', feed.now);
      assert.equal(feed.row('water heater').pending, true);
      feed.send(event);
      const row = feed.row('water heater');
      assert.equal(row.owner, 'manual');
      assert.equal(row.overrideUntil, feed.now + 900_000);
      const auto = commandFor(feed.model, { key: 'water heater', state: 'auto', forS: 900 });
      assert.deepEqual(auto?.payload, { load: 'water heater', state: 'auto' }, 'auto has no duration');
    });

    it('shows the demand interval’s projected average', function () {
      const feed = new Feed();
      const shedder = createShedder({ loads: LOADS, limitW: 5000, demandIntervalMin: 15 });
      let state = shedder.initialState();
      state = shedder.step(state, { type: 'relayStates', masks: { 'prm3-a': 3 } }, T0).state;
      const d = shedder.step(state, { type: 'reading', watts: 4000 }, T0 + 1000);
      feed.model = fromShedView(d.view, feed.model, T0 + 1000, WINDOW_S);
      assert.equal(feed.model.projectedW, d.view.projection?.projectedW);
      assert.ok(feed.model.projectedW !== null);
    });

    it('refuses what is not a state message, naming the field', function () {
      assert.throws(
        () => fromShedView('on', emptyModel(T0), T0, WINDOW_S),
        (e: unknown) => e instanceof PanelInputError && e.field === 'payload' && /loads array/.test(e.message),
      );
      assert.throws(
        () => parseOverrideRequest({ key: 'pool pump', state: 'maybe' }),
        (e: unknown) => e instanceof PanelInputError && e.field === 'state' && /"on", "off" or "auto"/.test(e.message),
      );
    });
  });

  describe('fed by prm3 mask', function () {
    const labels = ['heater', 'pump', ''];
    const output = (mask: number, prm3: Record<string, unknown> = {}): Record<string, unknown> => ({
      payload: mask,
      mask,
      prm3: { commanded: null, held: 0, ...prm3 },
    });

    it('has one row per named relay and switches one relay alone', function () {
      const model = fromMaskOutput(output(1), emptyModel(T0), labels, T0, 30);
      assert.deepEqual(
        model.loads.map((l) => [l.label, l.actual]),
        [
          ['heater', 'on'],
          ['pump', 'off'],
        ],
      );
      assert.deepEqual(commandFor(model, { key: 'relay 2', state: 'on', forS: null }), {
        topic: 'relay',
        payload: { close: [2] },
      });
      assert.equal(commandFor(model, { key: 'relay 2', state: 'auto', forS: null }), null, 'no auto for a bare relay');
    });

    it('keeps a command pending over plain reads, and a held command held until the relay moves', function () {
      let model = fromMaskOutput(output(1), emptyModel(T0), labels, T0, 30);
      model = withPending(model, 'relay 1', 'off', T0 + 100);
      model = fromMaskOutput(output(1), model, labels, T0 + 200, 30);
      assert.equal(model.loads[0]?.pending, true, 'a poll is not the command’s answer');
      model = fromMaskOutput(output(1, { commanded: 0, held: 1 }), model, labels, T0 + 300, 30);
      assert.deepEqual([model.loads[0]?.pending, model.loads[0]?.held, model.loads[0]?.wanted], [false, true, 'off']);
      model = fromMaskOutput(output(1), model, labels, T0 + 2000, 30);
      assert.equal(model.loads[0]?.held, true, 'still held after a poll');
      model = fromMaskOutput(output(0), model, labels, T0 + 3000, 30);
      assert.equal(model.loads[0]?.held, false, 'the relay got there');
    });

    it('refuses an output without a mask, naming msg.mask', function () {
      assert.throws(
        () => fromMaskOutput({ payload: true }, emptyModel(T0), labels, T0, 30),
        (e: unknown) => e instanceof PanelInputError && e.field === 'mask',
      );
    });
  });
});
