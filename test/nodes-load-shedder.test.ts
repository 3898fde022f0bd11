/** The `load shedder` node in Node-RED, against the simulator whose household load follows the relays. */
import assert from 'node:assert/strict';
import type { MeterSimulator } from '../src/sim/types';
import type { ShedView } from '../src/shed';
import {
  ALL_NODES,
  collect,
  credentials,
  errors,
  eventually,
  helper,
  lastStatus,
  load,
  meterConfig,
  METER_ID,
  startSim,
  TAB,
  tab,
  wait,
  type Msg,
} from './helpers/flow';

const NODES = ALL_NODES;
const SWITCHING = ['relay.set_mask', 'relay.close_mask', 'relay.open_mask'];

/** Water heater on relays 1+2 (one load, two phases), pool pump on relay 3. Base 500 W: all on is 4.5 kW. */
const LOADS = [
  { name: 'water heater', device: 'USB1', relays: '1,2', priority: 2, expectedW: 3000 },
  { name: 'pool pump', device: 'USB1', relays: '3', priority: 1, expectedW: 1000 },
];

function shedderFlow(node: Record<string, unknown> = {}, sim?: MeterSimulator): Record<string, unknown>[] {
  return [
    tab(),
    ...(sim ? [meterConfig(sim)] : []),
    {
      id: 'shed',
      type: 'load shedder',
      z: TAB,
      name: '',
      meter: METER_ID,
      loads: LOADS,
      limitW: 4000,
      bandW: 300,
      shedDelayS: 0,
      restoreDelayS: 1,
      restoreGapS: 0,
      prm3MinSwitchS: 0,
      failsafeAfterS: 30,
      failsafeAction: 'hold',
      powerRegister: 'Grid',
      powerEveryS: 0.25,
      pollS: 1,
      wires: [['events'], ['state']],
      ...node,
    },
    { id: 'events', type: 'helper', z: TAB },
    { id: 'state', type: 'helper', z: TAB },
  ];
}

/**
 * Node-RED clears a node's context when the node stops unless a context store is configured
 * (settings.js contextStorage): the restart tests run with one, as a user keeping state would.
 */
async function loadWithContextStore(flow: Record<string, unknown>[]): Promise<void> {
  helper.settings({ contextStorage: { default: { module: 'memory' } } });
  await load(flow, credentials, NODES);
  await (helper as unknown as { _redNodes: { loadContextsPlugin(): Promise<void> } })._redNodes.loadContextsPlugin();
}

/** Deploys the same flow again, as the editor's Deploy (full) does. */
async function redeploy(flow: Record<string, unknown>[]): Promise<void> {
  const placed = flow.map((n) => (typeof n['z'] === 'string' && !('x' in n) ? { x: 100, y: 100, ...n } : n));
  await (helper as unknown as { setFlows(f: unknown, t: string, c: unknown): Promise<void> }).setFlows(
    placed,
    'full',
    credentials,
  );
}

function switchCalls(sim: MeterSimulator): number {
  return SWITCHING.reduce((n, m) => n + sim.ctrlCalls(m).length, 0);
}

function mask(sim: MeterSimulator): number {
  return sim.device('USB1').mask;
}

function codes(events: Msg[], load?: string): string[] {
  return events
    .filter((e) => load === undefined || (e['payload'] as { load: string | null }).load === load)
    .map((e) => String(e['topic']));
}

function lastView(states: Msg[]): ShedView {
  const last = states[states.length - 1];
  assert.ok(last, 'a state message was sent');
  assert.equal(last['topic'], 'state');
  return last['payload'] as ShedView;
}

/** The load as the last state message showed it; before any, a load not yet read back. */
function loadView(states: Msg[], name: string): ShedView['loads'][number] {
  if (states.length === 0)
    return {
      name,
      actual: null,
      owner: 'auto',
      shed: false,
      reason: '',
      restoreInS: null,
      lockoutS: 0,
      switchesLastHour: 0,
      overrideUntil: null,
      confirmed: false,
      held: false,
      expectedW: null,
    };
  const found = lastView(states).loads.find((l) => l.name === name);
  assert.ok(found, name);
  return found;
}

describe('load shedder node', function () {
  this.timeout(20_000);
  let sim: MeterSimulator;

  beforeEach(async function () {
    sim = await startSim({ baseLoadW: 500, prm3s: [{ sn: '00000004', mask: 0b111, loadsW: [1500, 1500, 1000] }] });
  });
  afterEach(async function () {
    await helper.unload();
    helper.settings({ contextStorage: undefined });
    await sim.close();
  });

  it('reads the relays before anything, sheds the lowest priority over the limit and restores it when it fits', async function () {
    await load(shedderFlow({}, sim), credentials, NODES);
    const events = collect('events');
    const states = collect('state');
    await eventually(() => sim.ctrlCalls('relay.open_mask').length > 0, 8000, 'a shed');
    const first = sim.ctrlCalls().find((e) => e.ctrlMethod !== 'relay.get_mask');
    const firstRead = sim.ctrlCalls('relay.get_mask')[0];
    assert.ok(firstRead && first && firstRead.seq < first.seq, 'the relays were read before the first command');
    assert.deepEqual(codes(events), ['shed']);
    const shed = events[0]?.['payload'] as Record<string, unknown>;
    assert.equal(shed['load'], 'pool pump', 'lowest priority first; it covers the 500 W excess plus the band');
    assert.equal(shed['limitW'], 4000);
    assert.equal(shed['powerW'], 4500);
    assert.ok('projection' in shed && 'actual' in shed);
    await eventually(() => mask(sim) === 0b011, 5000, 'relay 3 open');
    await eventually(() => loadView(states, 'pool pump').confirmed && loadView(states, 'pool pump').actual === 'off');
    assert.equal(loadView(states, 'pool pump').shed, true);
    assert.equal(loadView(states, 'water heater').actual, 'on');
    await eventually(() => lastStatus('shed')?.text === '3.5 / 4.0 kW · shed: pool pump', 5000, 'the status line');
    assert.equal(lastStatus('shed')?.fill, 'yellow');
    // The state message carries the same line, for a dashboard text.
    await eventually(
      () =>
        (states[states.length - 1]?.['payload'] as Record<string, unknown> | undefined)?.['status'] ===
        '3.5 / 4.0 kW · shed: pool pump',
      5000,
      'the state message’s status',
    );

    // Nothing fits yet: 3.5 kW + 1 kW is over 3.7 kW. The sun comes out: 2.5 kW now, 1 kW fits.
    await wait(1500);
    assert.equal(mask(sim), 0b011, 'not restored while it does not fit');
    sim.setRegister('Solar', -1000);
    await eventually(() => codes(events).includes('restore'), 8000, 'a restore');
    await eventually(() => mask(sim) === 0b111, 5000, 'relay 3 closed again');
    assert.deepEqual(codes(events), ['shed', 'restore']);
    assert.equal(sim.ctrlCalls('relay.open_mask').length, 1, 'one open call for the shed');
    assert.equal(sim.ctrlCalls('relay.close_mask').length, 1, 'one close call for the restore');
    await eventually(() => loadView(states, 'pool pump').actual === 'on' && !loadView(states, 'pool pump').shed);
  });

  it('repeats an unchanged state every 10 s, so a dashboard does not take a quiet shedder for a stopped one', async function () {
    this.timeout(40_000);
    // Power from msg.payload, held steady and under the limit: nothing changes after the first read-back.
    await load(shedderFlow({ powerRegister: '', failsafeAfterS: 60 }, sim), credentials, NODES);
    const states = collect('state');
    const shedder = helper.getNode('shed');
    const feed = setInterval(() => shedder.receive({ payload: 3000 }), 500);
    try {
      await eventually(() => loadView(states, 'pool pump').actual === 'on', 8000, 'the first read-back');
      await wait(1500);
      const settled = states.length;
      const view = JSON.stringify(lastView(states));
      await eventually(() => states.length > settled + 1, 25_000, 'two repeats of the unchanged state');
      assert.equal(JSON.stringify(lastView(states)), view, 'the repeated state is the same state');
      assert.equal(switchCalls(sim), 0, 'nothing switched');
    } finally {
      clearInterval(feed);
    }
  });

  it('switches a polyphase load in one call', async function () {
    await load(
      shedderFlow(
        {
          loads: [
            { ...LOADS[0], priority: 1 },
            { ...LOADS[1], priority: 2 },
          ],
          limitW: 3000,
        },
        sim,
      ),
      credentials,
      NODES,
    );
    const events = collect('events');
    await eventually(() => codes(events).includes('shed'), 8000, 'a shed');
    await eventually(() => mask(sim) === 0b100, 5000, 'relays 1 and 2 open');
    const opens = sim.ctrlCalls('relay.open_mask');
    assert.equal(opens.length, 1);
    assert.deepEqual(opens[0]?.args, [0b011]);
  });

  it('takes power from msg.payload and obeys an override from an input message, without a fight', async function () {
    await load(shedderFlow({ powerRegister: '', failsafeAfterS: 60 }, sim), credentials, NODES);
    const events = collect('events');
    const states = collect('state');
    const shedder = helper.getNode('shed');
    await eventually(() => sim.ctrlCalls('relay.get_mask').length > 0, 5000, 'the first read-back');
    await eventually(() => loadView(states, 'pool pump').actual === 'on');
    shedder.receive({ payload: 4500 });
    await eventually(() => mask(sim) === 0b011, 5000, 'pool pump shed');

    shedder.receive({ topic: 'override', payload: { load: 'pool pump', state: 'on', forS: 600 } });
    await eventually(() => mask(sim) === 0b111, 5000, 'pool pump on by override');
    assert.ok(codes(events, 'pool pump').includes('override'));
    await eventually(() => loadView(states, 'pool pump').owner === 'manual');
    assert.ok((loadView(states, 'pool pump').overrideUntil ?? 0) > Date.now() + 500_000);
    // Still over the limit: the shedder sheds the water heater instead of fighting the person.
    shedder.receive({ payload: 4500 });
    await eventually(() => mask(sim) === 0b100, 5000, 'water heater shed instead');
    for (let i = 0; i < 4; i++) {
      shedder.receive({ payload: 4400 });
      await wait(300);
    }
    assert.equal(mask(sim) & 0b100, 0b100, 'the pool pump stays on while its override lasts');
    assert.equal(
      events.filter((e) => e['topic'] === 'shed' && (e['payload'] as Msg)['load'] === 'pool pump').length,
      1,
      'the pool pump was shed once, before the override',
    );

    shedder.receive({ topic: 'override', payload: { load: 'pool pump', state: 'auto' } });
    await eventually(() => loadView(states, 'pool pump').owner === 'auto');
  });

  it('treats a mask change made elsewhere as an override and never switches it back', async function () {
    await load(shedderFlow({ externalOverrideS: 600 }, sim), credentials, NODES);
    const events = collect('events');
    const states = collect('state');
    await eventually(() => mask(sim) === 0b011, 8000, 'pool pump shed');
    await eventually(() => loadView(states, 'pool pump').confirmed, 5000, 'the shed confirmed');
    const before = switchCalls(sim);
    sim.device('USB1').setMaskDirect(0b111); // someone closes relay 3 at the meter
    await eventually(() => codes(events, 'pool pump').includes('override'), 5000, 'the change noticed');
    assert.equal(loadView(states, 'pool pump').owner, 'manual');
    assert.match(loadView(states, 'pool pump').reason, /elsewhere/);
    // Over the limit again: the water heater goes, the pool pump is left as the person set it.
    await eventually(() => mask(sim) === 0b100, 8000, 'water heater shed');
    await wait(2500);
    assert.equal(mask(sim), 0b100);
    const pumpCommands = sim.ctrlCalls().filter((e) => e.ctrlMethod !== 'relay.get_mask' && e.args?.[0] === 0b100);
    assert.equal(pumpCommands.length, 1, 'only the first shed touched relay 3');
    assert.equal(switchCalls(sim) - before, 1, 'one command since: the water heater');
  });

  it('goes to fail-safe when the meter stops answering, says so, and recovers by itself', async function () {
    await load(shedderFlow({ limitW: 6000 }, sim), credentials, NODES);
    const events = collect('events');
    const states = collect('state');
    await eventually(() => states.length > 0 && lastView(states).powerW === 4500, 5000, 'a reading');
    await sim.setOffline(true);
    await eventually(() => codes(events).includes('failsafe'), 15_000, 'fail-safe');
    assert.match(
      String((events.find((e) => e['topic'] === 'failsafe')?.['payload'] as Msg)['text']),
      /meter unreachable/,
    );
    assert.equal(lastView(states).failsafe, true);
    await eventually(() => /fail-safe \(hold\)/.test(lastStatus('shed')?.text ?? ''), 2000, 'status says fail-safe');
    assert.equal(lastStatus('shed')?.fill, 'red');
    await sim.setOffline(false);
    await eventually(() => codes(events).filter((c) => c === 'failsafe').length === 2, 15_000, 'recovery');
    assert.equal(lastView(states).failsafe, false);
    assert.equal(switchCalls(sim), 0, 'hold: nothing switched');
  });

  it('sheds every non-critical load when readings stop, with shed-all, and comes back by itself', async function () {
    await load(
      shedderFlow(
        {
          powerRegister: '',
          limitW: 6000,
          failsafeAfterS: 1,
          failsafeAction: 'shed-all',
          loads: [{ ...LOADS[0], critical: true }, LOADS[1]],
        },
        sim,
      ),
      credentials,
      NODES,
    );
    const events = collect('events');
    const states = collect('state');
    const shedder = helper.getNode('shed');
    await eventually(() => sim.ctrlCalls('relay.get_mask').length > 0);
    shedder.receive({ payload: 4500 });
    await eventually(() => codes(events).includes('failsafe'), 5000, 'fail-safe after a second without readings');
    await eventually(() => mask(sim) === 0b011, 5000, 'the pool pump shed; the critical water heater kept');
    assert.equal(loadView(states, 'pool pump').owner, 'failsafe');
    shedder.receive({ payload: 2000 });
    await eventually(() => codes(events).filter((c) => c === 'failsafe').length >= 3, 5000, 'fail-safe ended');
    await eventually(() => mask(sim) === 0b111, 8000, 'the pool pump restored once it fits');
  });

  it('keeps its state across a redeploy and reads the relays before switching anything', async function () {
    const flow = shedderFlow({ externalOverrideS: 600 }, sim);
    await loadWithContextStore(flow);
    let states = collect('state');
    await eventually(() => mask(sim) === 0b011, 8000, 'pool pump shed');
    await eventually(() => loadView(states, 'pool pump').confirmed);

    // While Node-RED is away someone closes relay 3; then the same flow is deployed again.
    sim.device('USB1').setMaskDirect(0b111);
    sim.clearLog();
    await redeploy(flow);
    states = collect('state');
    const events = collect('events');
    await eventually(() => states.length > 0 && loadView(states, 'pool pump').actual !== null, 5000, 'read back');
    const calls = sim.ctrlCalls();
    assert.equal(calls[0]?.ctrlMethod, 'relay.get_mask', 'the first call after the restart reads');
    assert.equal(loadView(states, 'pool pump').owner, 'manual', 'the change made meanwhile is the person’s');
    await eventually(() => mask(sim) === 0b100, 8000, 'the water heater shed instead');
    await wait(1500);
    assert.equal(mask(sim) & 0b100, 0b100, 'relay 3 never switched back');
    assert.ok(codes(events, 'pool pump').includes('override'));
  });

  it('remembers a shed load across a redeploy: it stays shed until it fits', async function () {
    const flow = shedderFlow({}, sim);
    await loadWithContextStore(flow);
    let states = collect('state');
    await eventually(() => mask(sim) === 0b011, 8000, 'pool pump shed');
    await eventually(() => loadView(states, 'pool pump').confirmed);
    sim.clearLog();
    await redeploy(flow);
    states = collect('state');
    await eventually(() => states.length > 0 && loadView(states, 'pool pump').actual === 'off', 5000, 'read back');
    assert.equal(loadView(states, 'pool pump').shed, true, 'still shed by the controller');
    assert.equal(loadView(states, 'pool pump').owner, 'auto');
    await wait(2000);
    assert.equal(switchCalls(sim), 0, 'nothing switched: 3.5 kW + 1 kW still does not fit');
  });

  describe('bad settings and input', function () {
    it('refuses bad settings naming the field, and sends nothing', async function () {
      for (const [change, field] of [
        [{ limitW: 'lots' }, /limitW must be a number of watts/],
        [{ loads: [{ ...LOADS[0], relays: '4' }] }, /loads\[0\]\.relays/],
        [
          { loads: [{ ...LOADS[0], minOnS: 1 }], prm3MinSwitchS: 10 },
          /loads\[0\]\.minOnS must be at least the PRM3's own minimum/,
        ],
        [{ loads: [LOADS[0], { ...LOADS[1], name: 'water heater' }] }, /loads\[1\]\.name "water heater" is used/],
        [{ loads: [] }, /loads must list at least one load/],
        [{ loads: [{ ...LOADS[0], meter: 'nowhere' }] }, /loads\[0\]\.meter: no eGauge meter/],
        [{ meter: '' }, /meter must name an eGauge meter config node/],
        [{ powerEveryS: 0 }, /setting "powerEveryS" must be between 0.2 and 3600 seconds/],
        [{ failsafeAction: 'panic' }, /failsafeAction must be one of hold, shed-all, restore-all/],
      ] as Array<[Record<string, unknown>, RegExp]>) {
        await load(shedderFlow(change, sim), credentials, NODES);
        await wait(300);
        const said = errors('shed').join('\n');
        assert.match(said, field);
        await helper.unload();
      }
      assert.equal(sim.ctrlCalls().length, 0, 'nothing sent to the meter');
    });

    it('refuses bad input naming the field, and sends nothing for it', async function () {
      await load(
        [
          ...shedderFlow({ powerRegister: '', limitW: 6000 }, sim),
          { id: 'c', type: 'catch', z: TAB, wires: [['caught']] },
          { id: 'caught', type: 'helper', z: TAB },
        ],
        credentials,
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- core's catch node, loaded as the test helper wants it
        [...NODES, require('@node-red/nodes/core/common/25-catch.js') as (RED: unknown) => void],
      );
      const caught = collect('caught');
      await eventually(() => sim.ctrlCalls('relay.get_mask').length > 0);
      const shedder = helper.getNode('shed');
      shedder.receive({ topic: 'override', payload: { load: 'sauna', state: 'on' } });
      shedder.receive({ topic: 'override', payload: { load: 'pool pump', state: 'maybe' } });
      shedder.receive({ topic: 'limit', payload: -5 });
      shedder.receive({ payload: 'lots' });
      await eventually(() => caught.length === 4, 5000, 'four errors');
      const texts = caught.map((m) => String((m['error'] as { message: string }).message));
      assert.match(texts[0] ?? '', /msg\.payload\.load must name a load of this shedder \(water heater, pool pump\)/);
      assert.match(texts[1] ?? '', /msg\.payload\.state must be "on", "off" or "auto"/);
      assert.match(texts[2] ?? '', /msg\.payload must be a number of watts/);
      assert.match(texts[3] ?? '', /msg\.payload must be a number of watts.*msg\.topic must be one of override, limit/);
      assert.equal(switchCalls(sim), 0);
    });

    it('sends nothing after it is closed, with a command still in flight', async function () {
      await sim.close();
      sim = await startSim({
        baseLoadW: 500,
        deviceLatencyMs: 600,
        prm3s: [{ sn: '00000004', mask: 0b111, loadsW: [1500, 1500, 1000] }],
      });
      await load(shedderFlow({}, sim), credentials, NODES);
      const events = collect('events');
      const states = collect('state');
      await eventually(() => sim.ctrlCalls('relay.open_mask').length > 0, 8000, 'a shed on its way');
      await helper.unload();
      const seen = events.length + states.length;
      await wait(1500);
      assert.equal(events.length + states.length, seen, 'no output after close');
    });
  });
});
