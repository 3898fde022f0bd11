import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readmeSection, SECTION_END, SECTION_START, withSection } from '../bench/readme';
import { front, PLOT_FILE, sweepSvg } from '../bench/shed/plot';
import { numberAt, readResults } from '../bench/results';
import { BenchHooks } from '../bench/runtime';
import { alternate, median, pairedRatio, percentile, round, RoundSeries } from '../bench/stats';

const ROOT = path.resolve(__dirname, '..', '..');

describe('benchmark statistics', function () {
  it('takes the nearest-rank percentile of unsorted samples', function () {
    const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    assert.equal(median(samples), 5);
    assert.equal(percentile(samples, 99), 10);
    assert.equal(percentile(samples, 10), 1);
    assert.equal(percentile([0.25], 99), 0.25);
    assert.ok(Number.isNaN(median([])));
  });

  it('rounds to the digits asked for', function () {
    assert.equal(round(1.23456), 1.235);
    assert.equal(round(1.23456, 1), 1.2);
  });

  it('pairs each round of a path with the same round of its floor, not the overall medians', function () {
    // The machine slows down in the last rounds; a path twice as slow as its floor stays 2×.
    const floor = [1, 1, 1, 4, 4];
    const path = [2, 2, 2, 8, 8];
    assert.equal(pairedRatio(path, floor), 2);
    // Medians of the whole series would say 2 / 1 too here, but not when the drift is uneven:
    assert.equal(pairedRatio([1.1, 1.1, 4.4], [1, 1, 4]), 1.1);
    assert.equal(round(median([1.1, 1.1, 4.4]) / median([1, 4, 4]), 3), 0.275);
    assert.throws(() => pairedRatio([1, 2], [1]), /paired rounds differ in number: 2 and 1/);
  });

  it('keeps per-round medians and CPU per call beside all samples', function () {
    const s = new RoundSeries();
    s.addRound([1, 3, 2], 6);
    s.addRound([10, 30, 20], 60);
    assert.deepEqual(s.roundMedians, [2, 20]);
    assert.deepEqual(s.roundCpu, [2, 20]);
    assert.equal(s.samples.length, 6);
    assert.equal(s.medianMs, 3);
  });

  it('alternates every path once per round and rotates their order', async function () {
    const order: string[] = [];
    await alternate(['floor', 'client', 'flow'], 3, (key, r) => {
      order.push(`${r}:${key}`);
      return Promise.resolve();
    });
    assert.deepEqual(order, [
      '0:floor',
      '0:client',
      '0:flow',
      '1:client',
      '1:flow',
      '1:floor',
      '2:flow',
      '2:floor',
      '2:client',
    ]);
  });
});

describe('benchmark hooks for the Node-RED flows', function () {
  it('times the laps after the first pass and stops the flow after the count', async function () {
    const hooks = new BenchHooks();
    let n = 0;
    const round = hooks.startLaps('p', 3, () => ++n);
    const payloads = [hooks.lap('p'), hooks.lap('p'), hooks.lap('p'), hooks.lap('p')];
    assert.deepEqual(payloads, [1, 2, 3, undefined]);
    const { samples } = await round;
    assert.equal(samples.length, 3);
    assert.equal(hooks.lap('p'), undefined, 'a message of a finished round goes no further');
  });

  it('counts a throughput round only until every message in flight has stopped', async function () {
    const hooks = new BenchHooks();
    const done = hooks.startTicks('t', 2, 1);
    assert.equal(hooks.callers('t'), 2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(hooks.tick('t'), false);
    let settled = false;
    void done.then(() => (settled = true));
    await Promise.resolve();
    assert.equal(settled, false, 'one message is still in flight');
    assert.equal(hooks.tick('t'), false);
    assert.equal(await done, 0);
  });

  it('refuses raw work for a path it was not given', async function () {
    await assert.rejects(new BenchHooks().raw('nowhere'), /no raw work for nowhere/);
  });
});

describe('README benchmark section', function () {
  it('is exactly what the generator prints from bench/results.json', function () {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const results = readResults(ROOT);
    const start = readme.indexOf(SECTION_START);
    const end = readme.indexOf(SECTION_END);
    assert.ok(start >= 0 && end > start, 'the README has the generated section');
    assert.equal(readme.slice(start + SECTION_START.length + 1, end - 1), readmeSection(results));
    assert.equal(withSection(readme, results), readme);
  });

  it('shows the headline ratios of the results file', function () {
    const results = readResults(ROOT);
    const section = readmeSection(results);
    assert.ok(section.includes(`| ${results.clientToFloor.toFixed(2)}× |`), 'client ratio');
    assert.ok(
      section.includes(`| ${results.maskGetToFloor.toFixed(2)}× | ${results.flowAddedCost.toFixed(2)}× |`),
      'prm3 mask get and its added cost',
    );
    assert.ok(section.includes(`costs ${results.requestsPerSet} HTTP requests`), 'requests per set');
  });

  it('shows the shedding comparison of the results file and links its plot', function () {
    const results = readResults(ROOT);
    const s = results.shedding;
    const section = readmeSection(results);
    assert.ok(section.includes(`replayed over ${s.profiles} seeded household days`));
    for (const [label, f] of [
      ['load shedder', s.node],
      ['example function node', s.example],
      ['naive threshold', s.threshold],
    ] as const) {
      assert.ok(
        section.includes(
          `| ${label} | ${f.overLimitS.toFixed(1)} | ${f.intervalsOver.toFixed(2)} | ${f.switchesPerLoadDay.toFixed(2)} |`,
        ),
        label,
      );
    }
    assert.ok(section.includes(`](${PLOT_FILE})`));
    assert.equal(readFileSync(path.join(ROOT, PLOT_FILE), 'utf8'), sweepSvg(s), 'the plot is drawn from the results');
  });

  it("states the load shedder's wins only as far as the figures bear them out", function () {
    const s = readResults(ROOT).shedding;
    const winsBoth = [s.example, s.threshold].every(
      (o) => s.node.overLimitS < o.overLimitS && s.node.switchesPerLoadDay < o.switchesPerLoadDay,
    );
    assert.equal(s.nodeWinsBoth, winsBoth);
    const nodeFront = front(s.sweep.node);
    const dominated = [...s.sweep.example, ...s.sweep.threshold].every((p) =>
      nodeFront.some((n) => n.overLimitS <= p.overLimitS && n.switchesPerLoadDay <= p.switchesPerLoadDay),
    );
    assert.equal(s.nodeDominates, dominated);
    const section = readmeSection(readResults(ROOT));
    assert.equal(section.includes('fewer seconds over the limit and fewer switches than both'), winsBoth);
  });

  it('names a missing figure in the results file', function () {
    assert.throws(() => numberAt({ fleet: {} }, 'fleet.lagP99Ms'), /fleet\.lagP99Ms should be a number/);
  });
});
