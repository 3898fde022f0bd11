import assert from 'node:assert/strict';
import { DeviceError } from '../src/prm3/errors';
import { InputError } from '../src/errors';
import type { ControlDevice } from '../src/webapi';
import {
  hasRelay,
  isPrm3,
  parseDeviceSelector,
  portOf,
  selectDevice,
  summarizeDevice,
  type DeviceSelector,
} from '../src/prm3/device';

function device(fields: Partial<ControlDevice> & { path: string[] }): ControlDevice {
  return { interface: ['relay', 'scpi'], extra: {}, ...fields };
}

const prmUsb1 = device({
  path: ['net.egauge.slowd', 'USB1'],
  mfg: 'eGauge',
  model: 'PRM3',
  sn: '00000004',
  prot: 'SCPI',
  link: 'serial',
  quality: '1',
});
const prmModbusUsb2 = device({
  path: ['net.egauge.slowd', 'USB2', '1'],
  name: 'prm3',
  mfg: 'eGauge',
  model: 'prm3',
  sn: '00000007',
  prot: 'Modbus',
  link: 'serial',
  quality: '0',
  interface: ['relay', 'modbus'],
});
const otherRelay = device({
  path: ['net.egauge.cbw', '192.168.1.9'],
  model: 'X-410',
  sn: 'CBW1',
  interface: ['relay'],
});
const thermostat = device({ path: ['net.egauge.rtcoa', 'tstat'], model: 'CT80', sn: 'T1', interface: ['thermostat'] });

describe('prm3 device records', () => {
  it('finds the USB port in the path, or takes the element after the daemon', () => {
    assert.equal(portOf(prmUsb1), 'USB1');
    assert.equal(portOf(prmModbusUsb2), 'USB2');
    assert.equal(portOf(device({ path: ['net.egauge.slowd', 'usb3'] })), 'usb3');
    assert.equal(portOf(otherRelay), '192.168.1.9');
    assert.equal(portOf(device({ path: ['lonely'] })), undefined);
  });

  it('tells PRM3s and other relay devices apart', () => {
    assert.equal(isPrm3(prmUsb1), true);
    assert.equal(isPrm3(prmModbusUsb2), true, 'model is compared without case');
    assert.equal(isPrm3(otherRelay), false);
    assert.equal(
      isPrm3(device({ path: ['a', 'USB1'], model: 'PRM3', interface: ['scpi'] })),
      false,
      'a PRM3 without the relay interface cannot switch',
    );
    assert.equal(hasRelay(otherRelay), true);
    assert.equal(hasRelay(thermostat), false);
  });

  it('summarises a device with empty strings for missing fields', () => {
    assert.deepEqual(summarizeDevice(prmModbusUsb2), {
      sn: '00000007',
      model: 'prm3',
      mfg: 'eGauge',
      port: 'USB2',
      path: ['net.egauge.slowd', 'USB2', '1'],
      link: 'serial',
      prot: 'Modbus',
      quality: '0',
      interfaces: ['relay', 'modbus'],
      name: 'prm3',
    });
    const bare = summarizeDevice(device({ path: ['x'], interface: [] }));
    assert.deepEqual(bare, {
      sn: '',
      model: '',
      mfg: '',
      port: '',
      path: ['x'],
      link: '',
      prot: '',
      quality: '',
      interfaces: [],
    });
    assert.equal('name' in bare, false);
  });

  describe('parseDeviceSelector', () => {
    const accepted: Array<[unknown, DeviceSelector]> = [
      ['', { kind: 'first' }],
      ['  ', { kind: 'first' }],
      ['first', { kind: 'first' }],
      ['First', { kind: 'first' }],
      ['USB1', { kind: 'port', port: 'USB1' }],
      [' usb12 ', { kind: 'port', port: 'USB12' }],
      ['00000004', { kind: 'sn', sn: '00000004' }],
      ['0Y0035', { kind: 'sn', sn: '0Y0035' }],
      ['USB', { kind: 'sn', sn: 'USB' }],
      ['S'.repeat(64), { kind: 'sn', sn: 'S'.repeat(64) }],
    ];
    for (const [value, selector] of accepted) {
      it(`reads ${JSON.stringify(value)} as ${JSON.stringify(selector)}`, () => {
        assert.deepEqual(parseDeviceSelector(value, 'msg.device'), selector);
      });
    }

    const refused: unknown[] = [4, null, undefined, ['USB1'], { sn: '4' }, 'S'.repeat(65), 'bad\nserial', 'séri'];
    for (const value of refused) {
      it(`refuses ${JSON.stringify(value) ?? 'undefined'}`, () => {
        assert.throws(
          () => parseDeviceSelector(value, 'msg.device'),
          (error: unknown) => {
            assert.ok(error instanceof InputError);
            assert.equal(error.field, 'msg.device');
            assert.match(
              error.message,
              /^msg\.device must be "first" \(or blank\), a USB port such as "USB1", or a serial number/,
            );
            return true;
          },
        );
      });
    }
  });

  describe('selectDevice', () => {
    const listed = [thermostat, otherRelay, prmUsb1, prmModbusUsb2];

    it('takes the first PRM3 in the order the meter lists them', () => {
      assert.equal(selectDevice(listed, { kind: 'first' }), prmUsb1);
      assert.equal(selectDevice([prmModbusUsb2, prmUsb1], { kind: 'first' }), prmModbusUsb2);
    });

    it('finds relay devices by serial number and by port', () => {
      assert.equal(selectDevice(listed, { kind: 'sn', sn: '00000007' }), prmModbusUsb2);
      assert.equal(selectDevice(listed, { kind: 'sn', sn: 'CBW1' }), otherRelay);
      assert.equal(selectDevice(listed, { kind: 'port', port: 'USB2' }), prmModbusUsb2);
      assert.equal(
        selectDevice([device({ ...prmUsb1, path: ['net.egauge.slowd', 'usb1'] })], { kind: 'port', port: 'USB1' }).sn,
        '00000004',
      );
    });

    it('does not pick a device without the relay interface, even with a matching serial', () => {
      assert.throws(() => selectDevice(listed, { kind: 'sn', sn: 'T1' }), DeviceError);
    });

    it('says what it did find when nothing matches', () => {
      const cases: Array<[readonly ControlDevice[], DeviceSelector, string]> = [
        [
          listed,
          { kind: 'sn', sn: '123' },
          'no PRM3 with serial 123 (found: CBW1 on 192.168.1.9, 00000004 on USB1, 00000007 on USB2)',
        ],
        [[prmUsb1], { kind: 'port', port: 'USB3' }, 'no PRM3 on USB3 (found: 00000004 on USB1)'],
        [[otherRelay], { kind: 'first' }, 'no PRM3 on this meter (found: CBW1 on 192.168.1.9)'],
        [[thermostat], { kind: 'first' }, 'no PRM3 on this meter (found: no relay devices, 1 other device(s))'],
        [[], { kind: 'first' }, 'no PRM3 on this meter (found: no control devices)'],
      ];
      for (const [devices, selector, message] of cases) {
        assert.throws(
          () => selectDevice(devices, selector),
          (error: unknown) => {
            assert.ok(error instanceof DeviceError);
            assert.equal(error.code, 'DEVICE');
            assert.equal(error.message, message);
            return true;
          },
        );
      }
    });

    it('keeps the found list short on a meter with many relay devices', () => {
      const many = Array.from({ length: 9 }, (_, i) =>
        device({ path: ['net.egauge.slowd', `USB${i + 1}`], model: 'PRM3', sn: `S${i + 1}` }),
      );
      assert.throws(() => selectDevice(many, { kind: 'sn', sn: 'none' }), /S5 on USB5 and 4 more\)$/);
    });
  });
});
