import { EgaugeError, type ErrorContext } from '../errors';

/** No device on the meter matches the selection. */
export class DeviceError extends EgaugeError {
  constructor(message: string, context?: ErrorContext, options?: { cause?: unknown }) {
    super('DEVICE', message, context, options);
  }
}
