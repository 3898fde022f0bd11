import assert from 'node:assert/strict';
import { InputError } from '../src/errors';
import { isMask, maskToRelays, parseRelaySet, relayNumbers, relaysToMask } from '../src/prm3/mask';

describe('prm3 masks', () => {
  it('accepts only whole numbers 0..7 as masks', () => {
    for (const mask of [0, 1, 5, 7]) assert.equal(isMask(mask), true, String(mask));
    for (const value of [-1, 8, 1.5, Number.NaN, Infinity, '3', null, undefined, [3], true]) {
      assert.equal(isMask(value), false, String(value));
    }
  });

  it('maps relay numbers to bits with relay 1 as bit 0', () => {
    assert.equal(relaysToMask([]), 0);
    assert.equal(relaysToMask([1]), 1);
    assert.equal(relaysToMask([3]), 4);
    assert.equal(relaysToMask([1, 3]), 5);
    assert.equal(relaysToMask([3, 2, 1]), 7);
    assert.throws(() => relaysToMask([0]), RangeError);
    assert.throws(() => relaysToMask([4]), RangeError);
  });

  it('maps every mask to relay states and numbers and back', () => {
    assert.deepEqual(maskToRelays(5), [true, false, true]);
    assert.deepEqual(maskToRelays(0), [false, false, false]);
    assert.deepEqual(relayNumbers(6), [2, 3]);
    for (let mask = 0; mask <= 7; mask++) assert.equal(relaysToMask(relayNumbers(mask)), mask);
  });

  describe('parseRelaySet', () => {
    const accepted: Array<[unknown, number]> = [
      ['1,2,3', 7],
      ['1, 3', 5],
      [' 2 ', 2],
      ['3,1', 5],
      [[1, 3], 5],
      [['2', '3'], 6],
      [[3], 4],
    ];
    for (const [value, mask] of accepted) {
      it(`reads ${JSON.stringify(value)} as mask ${mask}`, () => {
        assert.equal(parseRelaySet(value, 'relays'), mask);
      });
    }

    const refused: unknown[] = [
      '',
      ' ',
      '0',
      '4',
      '1,,2',
      '1,1',
      'a',
      '1;2',
      [],
      [0],
      [1, 1],
      [1.5],
      [null],
      2,
      null,
      undefined,
      { 1: true },
    ];
    for (const value of refused) {
      it(`refuses ${JSON.stringify(value) ?? 'undefined'} naming the field and the accepted forms`, () => {
        assert.throws(
          () => parseRelaySet(value, 'relays'),
          (error: unknown) => {
            assert.ok(error instanceof InputError);
            assert.equal(error.field, 'relays');
            assert.match(error.message, /relays/);
            assert.match(error.message, /"1,2,3"/);
            return true;
          },
        );
      });
    }
  });
});
