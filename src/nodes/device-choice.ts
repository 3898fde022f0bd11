/**
 * Which device a message goes to. Node settings win: `msg.device` counts only when the node's
 * device is "from message"; otherwise a different `msg.device` is ignored with a warning
 * (once per value, so a flow that always sends one does not flood the log).
 */
import { InputError } from '../errors';
import { parseDeviceSelector, type DeviceSelector } from '../prm3/device';
import type { DeviceSetting } from './device-setting';
import { shared, type Texts } from './texts';

const MAX_REMEMBERED_WARNINGS = 50;

export class DeviceChoice {
  private readonly warned = new Set<string>();

  constructor(
    private readonly setting: DeviceSetting,
    private readonly warn: (text: string) => void,
    private readonly texts: Texts,
  ) {}

  /** Whether the device is known without a message (needed for polling). */
  get fixed(): DeviceSelector | null {
    return this.setting.fromMsg ? null : this.setting.selector;
  }

  select(msgDevice: unknown): DeviceSelector {
    if (this.setting.fromMsg) {
      if (msgDevice === undefined || msgDevice === null || msgDevice === '') {
        throw new InputError(
          'msg.device',
          'msg.device is required: this node takes its device from the message (a serial number such as "00000004", or a USB port such as "USB1")',
        );
      }
      return parseDeviceSelector(msgDevice, 'msg.device');
    }
    if (msgDevice !== undefined && msgDevice !== null && msgDevice !== '' && !this.matches(msgDevice)) {
      const key = typeof msgDevice === 'string' ? msgDevice : (JSON.stringify(msgDevice) ?? `a ${typeof msgDevice}`);
      if (!this.warned.has(key) && this.warned.size < MAX_REMEMBERED_WARNINGS) {
        this.warned.add(key);
        const setting =
          this.setting.selector.kind === 'first' ? this.texts(shared('log.firstPrm3')) : this.setting.text;
        this.warn(this.texts(shared('log.deviceIgnored'), { device: JSON.stringify(key), setting }));
      }
    }
    return this.setting.selector;
  }

  private matches(msgDevice: unknown): boolean {
    if (this.setting.fromMsg || typeof msgDevice !== 'string') return false;
    const selector = this.setting.selector;
    const value = msgDevice.trim();
    if (selector.kind === 'sn') return value === selector.sn;
    if (selector.kind === 'port') return value.toUpperCase() === selector.port;
    return value.toLowerCase() === 'first';
  }
}
