import assert from 'node:assert/strict';
import { median, percentile, round } from '../bench/stats';

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
});
