/** Which device a node's device setting or `msg.device` means. Pure, so the dialogs check the setting with it too. */
import { InputError } from '../errors';
import { describeReceived } from './preview';

export const USB_PORT = /^USB\d+$/i;
const SERIAL_MAX_CHARS = 64;

export type DeviceSelector = { kind: 'first' } | { kind: 'sn'; sn: string } | { kind: 'port'; port: string };

const SELECTOR_FORMS = '"first" (or blank), a USB port such as "USB1", or a serial number such as "00000004"';

/** A device setting or `msg.device`. Serial numbers must be text: a number would lose leading zeros. */
export function parseDeviceSelector(value: unknown, field: string): DeviceSelector {
  if (typeof value !== 'string') {
    throw new InputError(field, `${field} must be ${SELECTOR_FORMS}; got ${describeReceived(value)}`);
  }
  const text = value.trim();
  if (text === '' || text.toLowerCase() === 'first') return { kind: 'first' };
  if (USB_PORT.test(text)) return { kind: 'port', port: text.toUpperCase() };
  if (text.length > SERIAL_MAX_CHARS || !/^[\x20-\x7e]+$/.test(text)) {
    throw new InputError(
      field,
      `${field} must be ${SELECTOR_FORMS} (printable, at most ${SERIAL_MAX_CHARS} characters); got ${describeReceived(value)}`,
    );
  }
  return { kind: 'sn', sn: text };
}

export function describeSelector(selector: DeviceSelector): string {
  switch (selector.kind) {
    case 'first':
      return 'first PRM3';
    case 'sn':
      return `serial ${selector.sn}`;
    case 'port':
      return selector.port;
  }
}
