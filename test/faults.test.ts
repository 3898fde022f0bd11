/**
 * Faults at the Node-RED level: the real nodes in the runtime, the simulator misbehaving.
 * Every case checks that Node-RED keeps running (no uncaught exception or unhandled
 * rejection), that every message ends in exactly one output or one caught error, that no relay
 * command reaches the meter twice, and that the status recovers by itself.
 */
import assert from 'node:assert/strict';
import type { MeterSimulator } from '../src/sim/types';
import {
  credentials,
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
import { Ledger, type Outcome } from './helpers/ledger';

function flow(
  sim: MeterSimulator,
  meter: Record<string, unknown> = {},
  mask: Record<string, unknown> = {},
): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim, { timeout: 2, callTimeout: 3, ...meter }),
    {
      id: 'mask',
      type: 'prm3 mask',
      z: TAB,
      meter: METER_ID,
      device: '',
      relays: '1,2,3',
      oneLoad: false,
      output: 'mask',
      poll: 0,
      mode: 'queue',
      wires: [['out']],
      ...mask,
    },
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

function errorOf(outcome: Outcome): { code: string; message: string } {
  assert.equal(outcome.kind, 'error', `expected an error, got ${JSON.stringify(outcome.msg['payload'])}`);
  return outcome.msg['error'] as { code: string; message: string };
}

/** Relay commands the meter accepted (authorized, answered 200), in order. */
function commands(sim: MeterSimulator): Array<{ method: string; arg: unknown }> {
  return sim
    .ctrlCalls()
    .filter((e) => e.status === 200 && e.authorized && e.ctrlMethod !== 'relay.get_mask')
    .map((e) => ({ method: e.ctrlMethod ?? '', arg: e.args?.[0] }));
}

async function statusBecomes(id: string, fill: string, text: RegExp, ms = 10_000): Promise<void> {
  await eventually(
    () => lastStatus(id)?.fill === fill && text.test(lastStatus(id)?.text ?? ''),
    ms,
    `status ${fill} ${String(text)} (last: ${JSON.stringify(lastStatus(id))})`,
  );
}

describe('faults: the nodes keep working and stay honest', function () {
  this.timeout(60_000);
  let sim: MeterSimulator;
  const crashes: unknown[] = [];
  const onCrash = (reason: unknown): void => {
    crashes.push(reason);
  };

  before(function () {
    process.on('unhandledRejection', onCrash);
    process.on('uncaughtException', onCrash);
  });
  after(function () {
    process.off('unhandledRejection', onCrash);
    process.off('uncaughtException', onCrash);
  });
  beforeEach(async function () {
    crashes.length = 0;
    sim = await startSim();
  });
  afterEach(async function () {
    await helper.unload();
    await sim.close();
    assert.deepEqual(crashes, [], 'no uncaught exception or unhandled rejection');
  });

  it('1. meter unreachable at deploy, then back: recovers with no redeploy', async function () {
    await sim.setOffline(true);
    await load(flow(sim, {}, { poll: 1 }));
    const ledger = new Ledger();
    assert.equal(errorOf(await ledger.outcome(ledger.send(5))).code, 'NETWORK');
    await statusBecomes('mask', 'red', /unreachable/);
    await sim.setOffline(false);
    await statusBecomes('mask', 'green', /mask 0/, 15_000); // the next poll finds the meter again
    const back = await ledger.outcome(ledger.send(5));
    assert.equal(back.kind, 'output');
    assert.equal(back.msg['payload'], 5);
    assert.deepEqual(
      commands(sim),
      [{ method: 'relay.set_mask', arg: 5 }],
      'only the command sent while the meter was up reached it',
    );
  });

  it('2. meter reboot in the middle of 1,000 calls: every message answered once, no command twice', async function () {
    this.timeout(120_000);
    await load(flow(sim));
    const ledger = new Ledger();
    const sentSets: number[] = [];
    let rebooted = false;
    // Keep 32 messages in flight: a busy flow, within the per-device queue.
    const sendOne = (i: number): number => {
      if (i % 3 === 2) return ledger.send('get');
      const mask = [1, 2, 4, 3, 6, 5][i % 6] ?? 0;
      sentSets.push(mask);
      return ledger.send(mask);
    };
    let issued = 0;
    const inFlight = new Set<number>();
    while (issued < 1000 || inFlight.size > 0) {
      while (issued < 1000 && inFlight.size < 32) inFlight.add(sendOne(issued++));
      await wait(1);
      for (const n of [...inFlight]) if (ledger.outcomes.has(n)) inFlight.delete(n);
      if (!rebooted && issued >= 400) {
        rebooted = true;
        await sim.reboot();
      }
    }
    for (let n = 0; n < 1000; n++) ledger.only(n);
    const accepted = commands(sim).map((c) => Number(c.arg));
    // The meter saw the commands in the order they were sent, none of them twice.
    let cursor = 0;
    for (const arg of accepted) {
      while (cursor < sentSets.length && sentSets[cursor] !== arg) cursor++;
      assert.ok(cursor < sentSets.length, `command ${arg} was not sent in this order`);
      cursor++;
    }
    const setOutputs = [...ledger.outcomes.values()].filter(
      (o) =>
        o[0]?.kind === 'output' &&
        typeof o[0].msg['prm3'] === 'object' &&
        (o[0].msg['prm3'] as Msg)['method'] !== 'get_mask',
    ).length;
    assert.ok(accepted.length >= setOutputs, 'every reported command reached the meter');
    assert.ok(accepted.length <= sentSets.length, 'no command reached the meter more often than it was sent');
    const errors = [...ledger.outcomes.values()].filter((o) => o[0]?.kind === 'error').length;
    assert.ok(errors < 100, `a reboot costs a few messages, not the run (${errors} errors)`);
    await statusBecomes('mask', 'green', /mask/);
  });

  it('3. token revoked or expired between calls: one new login, no command repeated', async function () {
    await sim.close();
    sim = await startSim({ tokenLifetimeS: 2 });
    await load(flow(sim));
    const ledger = new Ledger();
    assert.equal((await ledger.outcome(ledger.send(1))).kind, 'output');
    const loginsBefore = sim.logins();
    sim.revokeTokens();
    assert.equal((await ledger.outcome(ledger.send(2))).kind, 'output');
    assert.equal(sim.logins(), loginsBefore + 1, 'one login after the revocation');
    await wait(2500); // the token has expired
    assert.equal((await ledger.outcome(ledger.send(3))).kind, 'output');
    assert.deepEqual(
      commands(sim).map((c) => c.arg),
      [1, 2, 3],
    );
  });

  it('4. a meter slower than the timeouts: a timeout error and no late output', async function () {
    await load(flow(sim, { timeout: 1, callTimeout: 2 }));
    const ledger = new Ledger();
    assert.equal((await ledger.outcome(ledger.send('get'))).kind, 'output');
    sim.faults.delayMs = 3000;
    const n = ledger.send(6);
    assert.equal(errorOf(await ledger.outcome(n, 10_000)).code, 'TIMEOUT');
    await wait(3500); // past the meter's delay: a late reply must not turn into an output
    ledger.only(n);
    sim.faults.delayMs = 0;
    assert.equal((await ledger.outcome(ledger.send('get'))).kind, 'output');
    await statusBecomes('mask', 'green', /mask/);
  });

  it('5. EAGAIN forever: a timeout error', async function () {
    await load(flow(sim, { callTimeout: 1 }));
    const ledger = new Ledger();
    sim.faults.eagainForever = true;
    const error = errorOf(await ledger.outcome(ledger.send('get')));
    assert.equal(error.code, 'TIMEOUT');
    assert.match(error.message, /relay\.get_mask/);
    sim.faults.eagainForever = false;
    assert.equal((await ledger.outcome(ledger.send('get'))).kind, 'output');
  });

  for (const [n, garbage] of [
    [6, 'html502'],
    [7, 'badjson'],
    [8, 'empty'],
  ] as const) {
    it(`${n}. a ${garbage} reply: a clear protocol error naming the meter and the operation`, async function () {
      await load(flow(sim));
      const ledger = new Ledger();
      sim.faults.garbage = garbage;
      sim.faults.garbagePaths = /^\/api\/ctrl\/call/;
      const error = errorOf(await ledger.outcome(ledger.send('get')));
      assert.equal(error.code, 'PROTOCOL');
      assert.ok(
        error.message.includes(sim.url.replace(/\/$/, '')) || error.message.includes('127.0.0.1'),
        error.message,
      );
      assert.match(error.message, /relay\.get_mask/);
      await statusBecomes('mask', 'red', /.+/);
      sim.faults.garbage = null;
      assert.equal((await ledger.outcome(ledger.send('get'))).kind, 'output');
      await statusBecomes('mask', 'green', /mask/);
    });
  }

  it('9. a 20 MB reply: refused at the size limit, memory bounded', async function () {
    await load(flow(sim));
    const ledger = new Ledger();
    assert.equal((await ledger.outcome(ledger.send('get'))).kind, 'output');
    const before = process.memoryUsage().heapUsed;
    sim.faults.garbage = 'oversized';
    sim.faults.garbagePaths = /^\/api\/ctrl\/call/;
    for (let i = 0; i < 3; i++) assert.equal(errorOf(await ledger.outcome(ledger.send('get'))).code, 'PROTOCOL');
    const grownMb = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
    assert.ok(grownMb < 40, `three 20 MB replies grew the heap by ${grownMb.toFixed(1)} MB`);
    sim.faults.garbage = null;
    assert.equal((await ledger.outcome(ledger.send('get'))).kind, 'output');
  });

  it('10. a wrong password: "authentication failed", and logins held back', async function () {
    this.timeout(30_000);
    await load(flow(sim), { [METER_ID]: { username: 'owner', password: 'wrong-password' } });
    const ledger = new Ledger();
    const started = Date.now();
    while (Date.now() - started < 8000) {
      ledger.send('get');
      await wait(100);
    }
    await eventually(() => ledger.outcomes.size === ledger.sent, 10_000, 'an outcome for every message');
    for (let n = 0; n < ledger.sent; n++) assert.equal(errorOf(ledger.only(n)).code, 'AUTH');
    // About 80 messages in 8 s. Each login is one digest attempt plus one retry with a fresh
    // nonce (a stale nonce looks the same as a wrong password); logins are then held back 5 s,
    // doubling: rounds at 0 and 5 s here, at most 4 rounds (8 attempts) in a minute.
    const attempts = sim.log.filter((e) => e.path === '/api/auth/login').map((e) => e.time);
    const rounds = attempts.filter((t, i) => i === 0 || t - (attempts[i - 1] ?? 0) > 1000).length;
    assert.ok(rounds <= 2 && attempts.length <= 4, `${attempts.length} login attempts in ${rounds} rounds in 8 s`);
    assert.equal(ledger.sent >= 60, true);
    await statusBecomes('mask', 'red', /authentication failed/);
    assert.equal(commands(sim).length, 0);
  });

  it('11. a user without the ctrl right: a clear permission error', async function () {
    sim.setUser({ username: 'owner', password: 'Pw-7f3a9c-secret', rights: ['view'] });
    await load(flow(sim), credentials);
    const ledger = new Ledger();
    const error = errorOf(await ledger.outcome(ledger.send(1)));
    assert.equal(error.code, 'PERMISSION');
    assert.match(error.message, /ctrl/);
    await statusBecomes('mask', 'red', /no ctrl right/);
    assert.equal(sim.device('USB1').mask, 0);
  });

  it('12. the PRM3 unplugged: the meter’s own error text', async function () {
    await load(flow(sim, {}, { device: '00000004' }));
    const ledger = new Ledger();
    assert.equal((await ledger.outcome(ledger.send('get'))).kind, 'output');
    sim.unplug('00000004');
    const error = errorOf(await ledger.outcome(ledger.send(3)));
    assert.equal(error.code, 'CALL');
    assert.match(error.message, /ENODEV/);
    sim.replug('00000004');
    assert.equal((await ledger.outcome(ledger.send(3))).kind, 'output');
  });

  it('13. 50 redeploys with calls in flight: nothing sent after close, no leaked timers or sockets', async function () {
    this.timeout(120_000);
    await sim.close();
    sim = await startSim({ deviceLatencyMs: 50 });
    const resources = (): number => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
    await load(flow(sim));
    await helper.unload();
    await wait(100);
    const baseline = resources();
    let lateSends = 0;
    for (let round = 0; round < 50; round++) {
      await load(flow(sim, {}, { poll: 1 }));
      const node = helper.getNode('mask') as unknown as {
        send(msg: unknown): void;
        on(event: 'close', listener: () => void): void;
        receive(msg: Msg): void;
      };
      let closed = false;
      node.on('close', () => {
        closed = true;
      });
      const send = node.send.bind(node);
      node.send = (msg: unknown): void => {
        if (closed) lateSends++;
        send(msg);
      };
      for (let i = 0; i < 3; i++) node.receive({ payload: i % 2 === 0 ? 'toggle' : 'get' });
      await wait(round % 5 === 0 ? 60 : 5);
      await helper.unload();
    }
    await wait(1500); // anything late would have happened by now
    assert.equal(lateSends, 0, 'no output from a closed node');
    await eventually(
      () => resources() <= baseline + 2,
      5000,
      `active resources back to ${baseline} (now ${resources()}: ${process.getActiveResourcesInfo().join(', ')})`,
    );
  });
});
