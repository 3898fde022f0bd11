/**
 * What a call costs in requests on a device whose latency is known, and what the deadlines
 * and signals of concurrent calls do to each other: counted on the simulator's request log.
 */
import assert from 'node:assert/strict';
import { executeRelayCommand } from '../src/prm3/operations';
import { AbortedError, TimeoutError } from '../src/webapi';
import { eventually, rejection, SimFixture } from './helpers/sim-fixture';

const A = { sn: '00000004' };
const B = { sn: '00000005' };

function polls(fx: SimFixture): number {
  return fx.sim.log.filter((entry) => entry.method === 'GET' && entry.path.startsWith('/api/ctrl/call/')).length;
}

function middle(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe('webapi client: requests per command and independent deadlines', () => {
  let fx: SimFixture | undefined;

  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('a set with read-back costs four requests once the device’s latency is known', async function () {
    this.timeout(15_000);
    fx = await SimFixture.start({ prm3s: [{ sn: A.sn, latencyMs: 60 }] });
    const client = fx.client();
    await client.rights();
    for (let mask = 1; mask <= 5; mask++)
      await executeRelayCommand(client, A.sn, { kind: 'set', mask: mask % 8 }, 7, 'independent');
    const counts: number[] = [];
    for (let set = 0; set < 9; set++) {
      const mask = set % 8;
      fx.sim.clearLog();
      const result = await executeRelayCommand(client, A.sn, { kind: 'set', mask }, 7, 'independent');
      assert.equal(result.actual, mask);
      counts.push(fx.sim.log.length);
    }
    // Call + result poll, get call + result poll. On a busy machine a result that comes late
    // costs a poll more now and then.
    assert.equal(Math.min(...counts), 4, `requests per set: ${counts.join(' ')}`);
    assert.ok(middle(counts) <= 5, `requests per set: ${counts.join(' ')}`);
  });

  it('polls a new PRM3 at most three times when another PRM3 on the meter is known', async function () {
    this.timeout(15_000);
    fx = await SimFixture.start({
      prm3s: [
        { sn: A.sn, latencyMs: 300 },
        { sn: B.sn, latencyMs: 300 },
      ],
    });
    const client = fx.client();
    for (let call = 0; call < 4; call++) await client.call(A, 'relay.get_mask', []);
    fx.sim.clearLog();
    await client.call(B, 'relay.get_mask', []);
    assert.ok(polls(fx) <= 3, `${polls(fx)} polls for the first call to the second PRM3`);
  });

  it('an aborted caller leaves another caller’s call, running or waiting, alone', async () => {
    fx = await SimFixture.start({
      prm3s: [
        { sn: A.sn, latencyMs: 300 },
        { sn: B.sn, latencyMs: 300 },
      ],
    });
    const client = fx.client();
    await client.rights();
    const first = new AbortController();
    const running = client.call(A, 'relay.set_mask', [1], { signal: first.signal });
    const waiting = client.call(A, 'relay.set_mask', [2]);
    const elsewhere = client.call(B, 'relay.set_mask', [3]);
    await eventually(() => fx?.acceptedCalls('relay.set_mask').length === 2, 2_000, 'both devices’ commands');
    first.abort();
    const error = await rejection(running, AbortedError);
    assert.equal(error.maybeSent, true);
    assert.equal(await waiting, false);
    assert.equal(await elsewhere, false);
    assert.equal(await client.call(A, 'relay.get_mask', []), 2);
    assert.equal(await client.call(B, 'relay.get_mask', []), 3);
  });

  it('a call that times out leaves the calls on other devices to finish', async () => {
    fx = await SimFixture.start({
      prm3s: [
        { sn: A.sn, latencyMs: 1_500 },
        { sn: B.sn, latencyMs: 300 },
      ],
    });
    const client = fx.client();
    const slow = client.call(A, 'relay.get_mask', [], { timeoutMs: 500 });
    const other = client.call(B, 'relay.set_mask', [5], { timeoutMs: 3_000 });
    const error = await rejection(slow, TimeoutError);
    assert.match(error.message, /within 500 ms/);
    assert.equal(await other, false);
    assert.equal(await client.call(B, 'relay.get_mask', []), 5);
  });
});
