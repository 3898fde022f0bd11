import assert from 'node:assert/strict';
import { AbortedError, NetworkError, type ControlDevice } from '../src/webapi';
import { DeviceError } from '../src/prm3/errors';
import { DeviceDirectory } from '../src/prm3/device';

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

interface PendingListing {
  signal: AbortSignal | undefined;
  resolve(devices: ControlDevice[]): void;
  reject(error: unknown): void;
}

/** A `/ctrl/device` stand-in whose listings the test answers by hand. */
class ManualListing {
  readonly calls: PendingListing[] = [];
  readonly list = (signal?: AbortSignal): Promise<ControlDevice[]> =>
    new Promise<ControlDevice[]>((resolve, reject) => {
      this.calls.push({ signal, resolve, reject });
    });

  get count(): number {
    return this.calls.length;
  }

  answer(devices: ControlDevice[], index = this.calls.length - 1): void {
    const call = this.calls[index];
    assert.ok(call, `listing ${index} was never requested`);
    call.resolve(devices);
  }
}

/** A listing that answers at once with whatever `devices` holds at the time. */
function instantListing(devices: () => ControlDevice[]): { list: () => Promise<ControlDevice[]>; count: () => number } {
  let count = 0;
  return {
    list: () => {
      count++;
      return Promise.resolve(devices());
    },
    count: () => count,
  };
}

/** Lets pending promise callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('prm3 device directory', () => {
  it('resolves a serial number without listing devices', async () => {
    const listing = new ManualListing();
    const directory = new DeviceDirectory({ list: listing.list });
    assert.deepEqual(await directory.resolve({ kind: 'sn', sn: '00000004' }), { sn: '00000004' });
    assert.equal(listing.count, 0);
  });

  it('lists once and answers from the cache until it is stale', async () => {
    let clock = 1_000;
    const usb1 = prm3('00000004', 'USB1');
    const meter = instantListing(() => [usb1]);
    const directory = new DeviceDirectory({ list: meter.list, ttlMs: 30_000, now: () => clock });

    assert.deepEqual(await directory.resolve({ kind: 'first' }), { sn: '00000004', device: usb1 });
    assert.equal((await directory.resolve({ kind: 'port', port: 'USB1' })).sn, '00000004');
    clock += 29_999;
    assert.equal((await directory.resolve({ kind: 'first' })).sn, '00000004');
    assert.equal(meter.count(), 1, 'fresh cache: no second listing');

    clock += 1;
    await directory.resolve({ kind: 'first' });
    assert.equal(meter.count(), 2, 'stale cache: listed again');
  });

  it('lists again when the selector is missing from a fresh cache, then finds a newly plugged module', async () => {
    const devices = [prm3('00000004', 'USB1')];
    const meter = instantListing(() => [...devices]);
    const directory = new DeviceDirectory({ list: meter.list, now: () => 0 });
    await directory.resolve({ kind: 'first' });

    devices.push(prm3('00000009', 'USB2'));
    assert.equal((await directory.resolve({ kind: 'port', port: 'USB2' })).sn, '00000009');
    assert.equal(meter.count(), 2);
    assert.equal((await directory.resolve({ kind: 'port', port: 'USB2' })).sn, '00000009');
    assert.equal(meter.count(), 2, 'the refreshed list is cached');
  });

  it('gives up with a DeviceError after one refresh', async () => {
    const meter = instantListing(() => [prm3('00000004', 'USB1')]);
    const directory = new DeviceDirectory({ list: meter.list, now: () => 0 });
    await directory.resolve({ kind: 'first' });
    await assert.rejects(directory.resolve({ kind: 'port', port: 'USB3' }), (error: unknown) => {
      assert.ok(error instanceof DeviceError);
      assert.equal(error.message, 'no PRM3 on USB3 (found: 00000004 on USB1)');
      return true;
    });
    assert.equal(meter.count(), 2, 'exactly one refresh for the miss');
  });

  it('shares one listing in flight between concurrent lookups', async () => {
    const listing = new ManualListing();
    const directory = new DeviceDirectory({ list: listing.list });
    const lookups = [
      directory.resolve({ kind: 'first' }),
      directory.resolve({ kind: 'port', port: 'USB2' }),
      directory.resolve({ kind: 'first' }, new AbortController().signal),
    ];
    await settle();
    assert.equal(listing.count, 1);
    listing.answer([prm3('A1', 'USB1'), prm3('B2', 'USB2')]);
    const resolved = await Promise.all(lookups);
    assert.deepEqual(
      resolved.map((r) => r.sn),
      ['A1', 'B2', 'A1'],
    );
    assert.equal(listing.count, 1);
  });

  it('passes a failed listing to every waiter and does not cache it', async () => {
    const listing = new ManualListing();
    const directory = new DeviceDirectory({ list: listing.list });
    const first = directory.resolve({ kind: 'first' });
    const second = directory.resolve({ kind: 'port', port: 'USB1' });
    await settle();
    const failure = new NetworkError('connection refused');
    listing.calls[0]?.reject(failure);
    await assert.rejects(first, (error: unknown) => error === failure);
    await assert.rejects(second, (error: unknown) => error === failure);

    const retry = directory.resolve({ kind: 'first' });
    await settle();
    assert.equal(listing.count, 2);
    listing.answer([prm3('A1', 'USB1')]);
    assert.equal((await retry).sn, 'A1');
  });

  it('lists afresh after invalidate, and a listing from before it does not refill the cache', async () => {
    const listing = new ManualListing();
    const directory = new DeviceDirectory({ list: listing.list, now: () => 0 });
    const before = directory.resolve({ kind: 'first' });
    await settle();
    directory.invalidate();
    const after = directory.resolve({ kind: 'first' });
    await settle();
    assert.equal(listing.count, 2, 'a lookup after invalidate does not join the old listing');

    listing.answer([prm3('NEW', 'USB1')], 1);
    assert.equal((await after).sn, 'NEW');
    // The old listing answers last: its callers get it, the cache does not.
    listing.answer([prm3('OLD', 'USB1')], 0);
    assert.equal((await before).sn, 'OLD');
    assert.equal((await directory.resolve({ kind: 'first' })).sn, 'NEW');
    assert.equal(listing.count, 2);
  });

  it('stops waiting when the caller aborts, and aborts the listing when nobody waits for it', async () => {
    const listing = new ManualListing();
    const directory = new DeviceDirectory({ list: listing.list });
    const controller = new AbortController();
    const lookup = directory.resolve({ kind: 'port', port: 'USB1' }, controller.signal);
    await settle();
    controller.abort();
    await assert.rejects(lookup, (error: unknown) => {
      assert.ok(error instanceof AbortedError);
      assert.match(error.message, /USB1/);
      return true;
    });
    assert.equal(listing.calls[0]?.signal?.aborted, true);

    // The aborted listing's late failure must not surface anywhere, and the next lookup lists anew.
    listing.calls[0]?.reject(new AbortedError('aborted'));
    const next = directory.resolve({ kind: 'first' });
    await settle();
    assert.equal(listing.count, 2);
    listing.answer([prm3('A1', 'USB1')]);
    assert.equal((await next).sn, 'A1');
  });

  it('keeps a shared listing going for the callers that still wait', async () => {
    const listing = new ManualListing();
    const directory = new DeviceDirectory({ list: listing.list });
    const controller = new AbortController();
    const impatient = directory.resolve({ kind: 'first' }, controller.signal);
    const patient = directory.resolve({ kind: 'first' });
    await settle();
    controller.abort();
    await assert.rejects(impatient, AbortedError);
    assert.equal(listing.calls[0]?.signal?.aborted, false);
    listing.answer([prm3('A1', 'USB1')]);
    assert.equal((await patient).sn, 'A1');
  });

  it('refuses at once, without listing, when the signal has already fired', async () => {
    const listing = new ManualListing();
    const directory = new DeviceDirectory({ list: listing.list });
    await assert.rejects(directory.resolve({ kind: 'first' }, AbortSignal.abort()), AbortedError);
    assert.equal(listing.count, 0);
  });

  it('refuses a relay device that reports no serial number, since commands address devices by serial', async () => {
    const nameless: ControlDevice = { ...prm3('', 'USB1') };
    delete nameless.sn;
    const directory = new DeviceDirectory({ list: instantListing(() => [nameless]).list });
    await assert.rejects(directory.resolve({ kind: 'port', port: 'USB1' }), (error: unknown) => {
      assert.ok(error instanceof DeviceError);
      assert.match(error.message, /on USB1 reports no serial number/);
      return true;
    });
  });
});
