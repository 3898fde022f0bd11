import assert from 'node:assert/strict';
import { PollPlanner, type PollRun } from '../src/webapi/poll';

interface Outcome {
  polls: number;
  /** Time between the result becoming ready and the poll that fetched it. */
  wait: number;
}

/** Polls one call whose result is ready `latency` ms after acceptance; each poll takes `rtt`. */
function pollUntilReady(run: PollRun, latency: number, rtt = 1): Outcome {
  let now = 0;
  for (;;) {
    now = Math.max(now, run.nextPollAt());
    const ready = now >= latency;
    run.record(now, ready);
    if (ready) return { polls: run.count, wait: now - latency };
    now += rtt;
  }
}

function simulate(planner: PollPlanner, key: string, latency: number, rtt = 1): Outcome {
  return pollUntilReady(planner.begin(key), latency, rtt);
}

/** Like simulate, for a call the client makes: the key names device and method. */
function simulateOn(planner: PollPlanner, device: string, method: string, latency: number): Outcome {
  return pollUntilReady(planner.begin(`${device} ${method}`, device, method), latency);
}

function series(planner: PollPlanner, key: string, latencies: number[]): Outcome[] {
  return latencies.map((latency) => simulate(planner, key, latency));
}

describe('webapi: poll schedule', () => {
  it('polls at once, and needs a single poll when the result is ready immediately', () => {
    const planner = new PollPlanner();
    const run = planner.begin('sn 1 relay.get_mask');
    assert.equal(run.nextPollAt(), 0);
    for (let call = 0; call < 5; call++)
      assert.deepEqual(simulate(planner, 'sn 1 relay.get_mask', 0), { polls: 1, wait: 0 });
  });

  it('backs off geometrically, capped, when there is no history', () => {
    const planner = new PollPlanner({ factor: 1.5, minGapMs: 2, maxGapMs: 400 });
    const run = planner.begin('k');
    const times: number[] = [];
    for (let poll = 0; poll < 20; poll++) {
      const at = run.nextPollAt();
      times.push(at);
      run.record(at, false);
    }
    const gaps = times.slice(1).map((at, index) => at - (times[index] ?? 0));
    for (let index = 1; index < gaps.length; index++)
      assert.ok((gaps[index] ?? 0) >= (gaps[index - 1] ?? 0), 'gaps never shrink');
    assert.ok(Math.max(...gaps) <= 400, 'gaps are capped');
    assert.equal(gaps.at(-1), 400);
    assert.ok((gaps[0] ?? 0) <= 5, 'the second poll comes soon after the first');
  });

  for (const latency of [20, 200, 2000]) {
    it(`learns a ${latency} ms device: wait ≤ 25% + 5 ms and few polls per call`, () => {
      const planner = new PollPlanner();
      const key = `sn 1 relay.set_mask`;
      series(
        planner,
        key,
        Array.from({ length: 8 }, () => latency),
      );
      const settled = series(
        planner,
        key,
        Array.from({ length: 30 }, () => latency),
      );
      const worstWait = Math.max(...settled.map((outcome) => outcome.wait));
      const meanPolls = settled.reduce((sum, outcome) => sum + outcome.polls, 0) / settled.length;
      assert.ok(worstWait <= latency * 0.25 + 5, `worst wait ${worstWait} ms`);
      assert.ok(meanPolls <= 3, `mean polls ${meanPolls}`);
      assert.ok(Math.max(...settled.map((outcome) => outcome.polls)) <= 12);
    });
  }

  it('bounds the first call to a 2 s device by the back-off cap', () => {
    const first = simulate(new PollPlanner(), 'k', 2000);
    assert.ok(first.polls <= 20, `${first.polls} polls`);
    assert.ok(first.wait <= 400, `waited ${first.wait} ms`);
  });

  it('keeps the wait bounded when the latency jitters by ±10%', () => {
    const planner = new PollPlanner();
    let seed = 7;
    const jittered = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 200 * (0.9 + 0.2 * (seed / 2 ** 31));
    };
    series(planner, 'k', Array.from({ length: 10 }, jittered));
    const outcomes = series(planner, 'k', Array.from({ length: 100 }, jittered));
    const meanWait = outcomes.reduce((sum, outcome) => sum + outcome.wait, 0) / outcomes.length;
    const meanPolls = outcomes.reduce((sum, outcome) => sum + outcome.polls, 0) / outcomes.length;
    assert.ok(meanWait <= 200 * 0.25 + 5, `mean wait ${meanWait}`);
    assert.ok(meanPolls <= 6, `mean polls ${meanPolls}`);
  });

  it('falls back to back-off when the device became slower, then learns again', () => {
    const planner = new PollPlanner();
    series(
      planner,
      'k',
      Array.from({ length: 10 }, () => 50),
    );
    const first = simulate(planner, 'k', 500);
    assert.ok(first.wait <= 500 * 0.5 + 5, `back-off wait ${first.wait}`);
    const later = series(
      planner,
      'k',
      Array.from({ length: 10 }, () => 500),
    ).slice(5);
    for (const outcome of later)
      assert.ok(outcome.wait <= 500 * 0.25 + 5 && outcome.polls <= 3, JSON.stringify(outcome));
  });

  it('notices a device that became faster once its low side is due a recheck', () => {
    // A minute passes between calls, so each aimed poll that finds the result lets `lo` sink.
    let now = 0;
    const planner = new PollPlanner({}, () => (now += 60_000));
    series(
      planner,
      'k',
      Array.from({ length: 10 }, () => 400),
    );
    const later = series(
      planner,
      'k',
      Array.from({ length: 40 }, () => 40),
    ).slice(-10);
    for (const outcome of later) assert.ok(outcome.wait <= 40 * 0.25 + 5, JSON.stringify(outcome));
  });

  it('aims the first poll of a device known to be slow: one poll per call once learnt', () => {
    const planner = new PollPlanner();
    series(
      planner,
      'sn 1 relay.get_mask',
      Array.from({ length: 10 }, () => 300),
    );
    const settled = series(
      planner,
      'sn 1 relay.get_mask',
      Array.from({ length: 20 }, () => 300),
    );
    for (const outcome of settled)
      assert.ok(outcome.polls === 1 && outcome.wait <= 300 * 0.25 + 5, JSON.stringify(outcome));
  });

  it('a fast device slow once (a stall) is polled at once again by the next call, not for a minute', () => {
    const planner = new PollPlanner();
    series(
      planner,
      'k',
      Array.from({ length: 10 }, () => 2),
    );
    simulate(planner, 'k', 50);
    assert.equal(planner.begin('k').nextPollAt(), 0, 'the next call polls at once');
    // The bracket the stall left sinks call by call, as for any device that became faster.
    const next = series(
      planner,
      'k',
      Array.from({ length: 10 }, () => 2),
    );
    for (const outcome of next.slice(6)) assert.ok(outcome.wait <= 5, JSON.stringify(outcome));
  });

  it('still polls a device known to be fast at once', () => {
    const planner = new PollPlanner();
    series(
      planner,
      'k',
      Array.from({ length: 5 }, () => 0),
    );
    assert.equal(planner.begin('k').nextPollAt(), 0);
  });

  it('borrows the latency of another device for the same method, still polling at once first', () => {
    const planner = new PollPlanner();
    for (let call = 0; call < 8; call++) simulateOn(planner, 'a', 'relay.get_mask', 2000);
    const first = simulateOn(planner, 'b', 'relay.get_mask', 2000);
    assert.ok(first.polls <= 3, `${first.polls} polls`);
    assert.ok(first.wait <= 2000 * 0.25 + 5, `waited ${first.wait} ms`);
    assert.deepEqual(
      simulateOn(planner, 'c', 'relay.get_mask', 0),
      { polls: 1, wait: 0 },
      'a faster device is found by the first poll',
    );
  });

  it('borrows the latency the same device showed for another method', () => {
    const planner = new PollPlanner();
    for (let call = 0; call < 8; call++) simulateOn(planner, 'a', 'relay.get_mask', 500);
    assert.ok(simulateOn(planner, 'a', 'relay.set_mask', 500).polls <= 3);
  });

  it('keeps devices and methods apart', () => {
    const planner = new PollPlanner();
    series(
      planner,
      'a',
      Array.from({ length: 10 }, () => 1000),
    );
    assert.deepEqual(simulate(planner, 'b', 0), { polls: 1, wait: 0 });
    assert.equal(planner.bracket('b')?.hi, 0);
    assert.ok((planner.bracket('a')?.hi ?? 0) >= 1000);
  });

  it('forgets the least recently used keys beyond its limit', () => {
    const planner = new PollPlanner({ historyLimit: 3 });
    for (const key of ['a', 'b', 'c', 'd']) simulate(planner, key, 10);
    assert.equal(planner.bracket('a'), undefined);
    assert.notEqual(planner.bracket('d'), undefined);
  });
});
