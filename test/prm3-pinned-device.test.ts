import assert from 'node:assert/strict';
import { CallError, NetworkError, type ControlDevice } from '../src/webapi';
import { DeviceDirectory } from '../src/prm3/device';
import { DeviceGoneError, goneIfRefused, onSelectedDevice } from '../src/prm3/pinned-device';

function prm3(sn: string, port: string): ControlDevice {
  return {
    path: ['net.egauge.slowd', port],
    mfg: 'eGauge',
    model: 'PRM3',
    sn,
    prot: 'SCPI',
    link: 'serial',
    quality: '1',
    interface: ['relay', 'scpi'],
    extra: {},
  };
}

const refusal = (): CallError =>
  new CallError('relay.set_mask failed: the meter said "ENODEV: No matching device."', 'ENODEV: No matching device.', {
    maybeSent: false,
  });

describe('prm3 pinned devices', () => {
  let listed: ControlDevice[];
  let directory: DeviceDirectory;
  let listings: number;

  beforeEach(() => {
    listed = [prm3('A', 'USB1'), prm3('B', 'USB2')];
    listings = 0;
    directory = new DeviceDirectory({
      list: () => {
        listings++;
        return Promise.resolve([...listed]);
      },
    });
  });

  it('pins a port or "first" to the listed path, never a serial number', async () => {
    const seen: Array<[string, readonly string[] | undefined]> = [];
    const job = (sn: string, path: readonly string[] | undefined): Promise<void> => {
      seen.push([sn, path]);
      return Promise.resolve();
    };
    await onSelectedDevice(directory, { kind: 'port', port: 'USB2' }, undefined, job);
    await onSelectedDevice(directory, { kind: 'first' }, undefined, job);
    await onSelectedDevice(directory, { kind: 'sn', sn: 'B' }, undefined, job);
    assert.deepEqual(seen, [
      ['B', ['net.egauge.slowd', 'USB2']],
      ['A', ['net.egauge.slowd', 'USB1']],
      ['B', undefined],
    ]);
  });

  it('runs the job once more on the module now on the port when the first one was refused', async () => {
    const runs: string[] = [];
    const result = await onSelectedDevice(directory, { kind: 'port', port: 'USB1' }, undefined, (sn, path) => {
      runs.push(sn);
      if (sn === 'A') {
        listed = [prm3('B', 'USB1'), prm3('A', 'USB2')];
        return Promise.reject(new DeviceGoneError(sn, path ?? [], refusal()));
      }
      return Promise.resolve(`switched ${sn}`);
    });
    assert.equal(result, 'switched B');
    assert.deepEqual(runs, ['A', 'B']);
    assert.equal(listings, 2);
  });

  it("reports the meter's refusal, and runs nothing again, when the listing shows the module still there", async () => {
    const original = refusal();
    let runs = 0;
    await assert.rejects(
      onSelectedDevice(directory, { kind: 'port', port: 'USB1' }, undefined, (sn, path) => {
        runs++;
        return Promise.reject(new DeviceGoneError(sn, path ?? [], original));
      }),
      (error) => error === original,
    );
    assert.equal(runs, 1);
  });

  it('gives up after a second refusal: the job is tried at most twice', async () => {
    let runs = 0;
    await assert.rejects(
      onSelectedDevice(directory, { kind: 'first' }, undefined, (sn, path) => {
        runs++;
        listed = runs === 1 ? [prm3('B', 'USB1')] : [prm3('C', 'USB1')];
        return Promise.reject(new DeviceGoneError(sn, path ?? [], refusal()));
      }),
      (error) => error instanceof DeviceGoneError && error.code === 'DEVICE' && /no longer on USB1/.test(error.message),
    );
    assert.equal(runs, 2);
  });

  it('treats only a refused call of a pinned job that had not acted as gone', () => {
    const path = ['net.egauge.slowd', 'USB1'];
    assert.ok(goneIfRefused(refusal(), 'A', path, false) instanceof DeviceGoneError);
    assert.ok(!(goneIfRefused(refusal(), 'A', path, true) instanceof DeviceGoneError), 'something already acted');
    assert.ok(!(goneIfRefused(refusal(), 'A', undefined, false) instanceof DeviceGoneError), 'not pinned');
    const maybe = new CallError('failed while running', 'EIO', { maybeSent: true });
    assert.equal(goneIfRefused(maybe, 'A', path, false), maybe, 'a failure of a started call');
    const lost = new NetworkError('connection lost', { maybeSent: true });
    assert.equal(goneIfRefused(lost, 'A', path, false), lost);
  });
});
