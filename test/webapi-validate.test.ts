import assert from 'node:assert/strict';
import {
  readCallReply,
  readChallenge,
  readDevices,
  readInterfaces,
  readLoginReply,
  readRegisters,
  readRights,
  readTid,
  type Fail,
} from '../src/webapi/validate';
import { describeBody, safeQuote } from '../src/webapi/redact';

class Bad extends Error {}
const fail: Fail = (problem) => {
  throw new Bad(problem);
};
const noSkips = (count: number): void => assert.fail(`unexpected skip of ${count}`);

describe('webapi: reading meter replies', () => {
  it('reads devices, keeping unknown string attributes and dropping junk', () => {
    let skipped = 0;
    const devices = readDevices(
      [
        {
          path: ['net.egauge.slowd', 'USB1'],
          sn: '00000004',
          model: 'PRM3',
          interface: ['relay', 7, 'scpi'],
          fw: '1.2',
          bogus: { x: 1 },
          quality: 3,
        },
        { sn: 'no-path' },
        'junk',
        { path: ['net.egauge.slowd', 'USB2', '1'] },
      ],
      fail,
      (count) => (skipped += count),
    );
    assert.equal(skipped, 2);
    assert.deepEqual(devices, [
      {
        path: ['net.egauge.slowd', 'USB1'],
        sn: '00000004',
        model: 'PRM3',
        interface: ['relay', 'scpi'],
        extra: { fw: '1.2' },
      },
      { path: ['net.egauge.slowd', 'USB2', '1'], interface: [], extra: {} },
    ]);
    assert.throws(() => readDevices({ result: [] }, fail, noSkips), Bad);
  });

  it('reads interfaces with defaults for missing members', () => {
    const map = readInterfaces(
      {
        relay: {
          method: [
            { name: 'get_mask', in: '', out: 'u', doc: 'Get mask.' },
            { name: 'set_mask', in: 'u', in_names: ['mask'] },
            { doc: 'nameless' },
          ],
        },
        other: {},
      },
      fail,
    );
    assert.deepEqual(map, {
      relay: [
        { name: 'get_mask', in: '', in_names: [], out: 'u', doc: 'Get mask.' },
        { name: 'set_mask', in: 'u', in_names: ['mask'], out: '', doc: '' },
      ],
      other: [],
    });
    assert.throws(() => readInterfaces([], fail), Bad);
    assert.throws(() => readInterfaces({ relay: 'x' }, fail), Bad);
  });

  it('accepts tids beyond 32 bits and refuses anything but a safe non-negative integer', () => {
    assert.equal(readTid({ tid: 4294967360 }, fail), 4294967360);
    assert.equal(readTid({ tid: 0 }, fail), 0);
    for (const tid of [-1, 1.5, '42', 2 ** 60, null]) assert.throws(() => readTid({ tid }, fail), Bad, String(tid));
    assert.throws(() => readTid(42, fail), Bad);
  });

  it('tells pending, done and failed call replies apart', () => {
    assert.deepEqual(readCallReply({ error: 'EAGAIN: Call is pending.' }, fail), { kind: 'pending' });
    assert.deepEqual(readCallReply({ result: 5 }, fail), { kind: 'done', result: 5 });
    assert.deepEqual(readCallReply({ result: false }, fail), { kind: 'done', result: false });
    assert.deepEqual(readCallReply({}, fail), { kind: 'done', result: undefined });
    assert.deepEqual(readCallReply({ error: 'EINVAL: bad mask' }, fail), { kind: 'failed', text: 'EINVAL: bad mask' });
    assert.deepEqual(readCallReply({ error: 'eagain later' }, fail), { kind: 'failed', text: 'eagain later' });
    assert.throws(() => readCallReply([1], fail), Bad);
    assert.throws(() => readCallReply({ error: 7 }, fail), Bad);
  });

  it('reads register snapshots with a decimal-string ts', () => {
    const snapshot = readRegisters(
      {
        ts: '1678330813.000129799',
        registers: [
          { name: 'Grid', type: 'P', idx: 17, did: 0, rate: 1798 },
          { name: 'use', type: 'P', idx: 3 },
        ],
      },
      fail,
      noSkips,
    );
    assert.ok(Math.abs(snapshot.ts - Number('1678330813.000129799')) < 1e-6);
    assert.deepEqual(snapshot.registers, [
      { name: 'Grid', type: 'P', idx: 17, did: 0, rate: 1798 },
      { name: 'use', type: 'P', idx: 3 },
    ]);
    assert.deepEqual(readRegisters({ ts: '1' }, fail, noSkips), { ts: 1, registers: [] });
    let skipped = 0;
    readRegisters(
      { ts: 2, registers: [{ name: 'x' }, { name: 'y', type: 'P', idx: -1 }] },
      fail,
      (count) => (skipped += count),
    );
    assert.equal(skipped, 2);
    assert.throws(() => readRegisters({ ts: 'yesterday', registers: [] }, fail, noSkips), Bad);
    assert.throws(() => readRegisters({ ts: '1', registers: {} }, fail, noSkips), Bad);
  });

  it('reads challenges, login replies and rights', () => {
    assert.deepEqual(readChallenge({ rlm: 'eGauge Administration', nnc: 'abc', error: 'Authentication required.' }), {
      rlm: 'eGauge Administration',
      nnc: 'abc',
    });
    assert.equal(readChallenge({ rlm: 'x' }), undefined);
    assert.equal(readChallenge('401'), undefined);
    assert.deepEqual(readLoginReply({ jwt: 'a.b.c' }, fail), { kind: 'token', jwt: 'a.b.c' });
    assert.deepEqual(readLoginReply({ error: 'Invalid credentials' }, fail), {
      kind: 'refused',
      text: 'Invalid credentials',
    });
    assert.throws(() => readLoginReply({}, fail), Bad);
    assert.deepEqual(readRights({ usr: 'owner', rights: ['view', 'ctrl'] }, fail), {
      usr: 'owner',
      rights: ['view', 'ctrl'],
    });
    assert.throws(() => readRights({ usr: 'owner', rights: 'ctrl' }, fail), Bad);
  });

  it('quotes meter text briefly, without control characters or anything token-shaped', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c3IiOiJvd25lciJ9.c2ln';
    assert.equal(safeQuote(`bad token ${jwt}\r\n`), 'bad token [token]');
    assert.equal(safeQuote('x'.repeat(300)).length, 101);
    assert.equal(
      describeBody(502, 'text/html', '<html>Bad gateway</html>', true),
      'meter sent HTML (HTTP 502): <html>Bad gateway</html>',
    );
    assert.equal(describeBody(200, 'application/json', '', true), 'meter sent an empty reply (HTTP 200)');
    assert.equal(describeBody(200, 'application/json', `{"jwt":"${jwt}"`, false), 'meter sent invalid JSON (HTTP 200)');
    assert.equal(describeBody(503, undefined, 'busy', true), 'meter answered HTTP 503: busy');
  });
});
