/**
 * A device chosen by USB port or as "first PRM3" is addressed by the `path` it was listed at
 * together with its serial number. If the module moved since the listing, the meter finds no
 * match and runs nothing; the command then goes once to the module the setting names now.
 */
import { CallError, type DeviceAttrs } from '../webapi';
import { DeviceError } from './errors';
import type { EgaugeError } from '../errors';
import { portOfPath, type DeviceDirectory, type DeviceSelector, type ResolvedDevice } from './device';

/** `{path, sn}` when the path is known (`path` first, as the meter requires), else `{sn}`. */
export function deviceAttrs(sn: string, path: readonly string[] | undefined): DeviceAttrs {
  return path === undefined ? { sn } : { path: [...path], sn };
}

/** The meter refused a call to `{path, sn}` before anything on the device acted: nothing ran. */
export class DeviceGoneError extends DeviceError {
  constructor(
    readonly sn: string,
    readonly path: readonly string[],
    readonly refusal: EgaugeError,
  ) {
    super(
      `PRM3 ${sn} is no longer on ${portOfPath(path) ?? path.join('/')}: the meter refused the command and nothing was switched`,
      {
        ...(refusal.meter !== undefined ? { meter: refusal.meter } : {}),
        ...(refusal.operation !== undefined ? { operation: refusal.operation } : {}),
        device: sn,
        maybeSent: false,
      },
      { cause: refusal },
    );
  }
}

/**
 * Turns a refusal into DeviceGoneError when it is certain nothing ran: the call was pinned to a
 * path, the meter answered its POST with an error (so no call was started), and no earlier call
 * of the same job acted on the device.
 */
export function goneIfRefused(
  error: unknown,
  sn: string,
  path: readonly string[] | undefined,
  actedBefore: boolean,
): unknown {
  if (path === undefined || actedBefore || !(error instanceof CallError) || error.maybeSent) return error;
  return new DeviceGoneError(sn, path, error);
}

/**
 * Runs `job` on the device `selector` names. When the module was not where the listing said,
 * lists again and, if the setting now names another module (or the same one on another port),
 * runs `job` once more there. Never more than once: a second refusal is reported.
 */
export async function onSelectedDevice<T>(
  directory: DeviceDirectory,
  selector: DeviceSelector,
  signal: AbortSignal | undefined,
  job: (sn: string, path: readonly string[] | undefined) => Promise<T>,
): Promise<T> {
  const first = await directory.resolve(selector, signal);
  try {
    return await job(first.sn, pinnedPath(first, selector));
  } catch (error) {
    if (!(error instanceof DeviceGoneError)) throw error;
    directory.invalidate();
    const now = await directory.resolve(selector, signal);
    // Still listed where it was: the refusal had another reason, which is the one to report.
    if (now.sn === first.sn && samePath(now.device?.path, first.device?.path)) throw error.refusal;
    return job(now.sn, pinnedPath(now, selector));
  }
}

/** Only a device found by port or as "first" is pinned: a serial number follows its module anywhere. */
function pinnedPath(resolved: ResolvedDevice, selector: DeviceSelector): readonly string[] | undefined {
  return selector.kind === 'sn' ? undefined : resolved.device?.path;
}

function samePath(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((element, i) => element === b[i]);
}
