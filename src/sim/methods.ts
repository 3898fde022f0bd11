/**
 * Runs one control call on a PRM3: resolves the method name (qualified `relay.set_mask` or
 * bare `set_mask`), checks the arguments against the method's signature and range, and
 * answers with the body `GET /ctrl/call/{tid}` will send.
 */
import { findMethod, PRM3_INTERFACE_NAMES, type MethodDescription } from './interfaces';
import { isIntegerIn } from './json-guards';
import { ALL_RELAYS, RELAY_COUNT, type Prm3Module } from './prm3-module';
import { execScpi } from './scpi';

/** `{result}` when the method returns a value, `{}` when it returns none, `{error}` on failure. */
export type CallReplyBody = { result: unknown } | { error: string } | Record<string, never>;

const UINT32_MAX = 0xffff_ffff;

type Implementation = (device: Prm3Module, args: readonly unknown[]) => CallReplyBody;

function maskCommand(next: (current: number, mask: number) => number): Implementation {
  return (device, [mask]) => {
    if (!isIntegerIn(mask, 0, ALL_RELAYS)) return { error: 'EINVAL: mask must be an integer from 0 to 7.' };
    device.command(next(device.mask, mask));
    return { result: false };
  };
}

/**
 * Relay indices for close/open are 1-based here (relay 1 is bit 0). Whether the real meter
 * counts from 0 or 1 is not documented; this is the simulator's choice.
 */
function relayCommand(close: boolean): Implementation {
  return (device, [index]): CallReplyBody => {
    if (!isIntegerIn(index, 1, RELAY_COUNT)) return { error: 'EINVAL: relay index must be 1, 2 or 3.' };
    const bit = 1 << (index - 1);
    device.command(close ? device.mask | bit : device.mask & ~bit);
    return {};
  };
}

const IMPLEMENTATIONS: ReadonlyMap<string, Implementation> = new Map<string, Implementation>([
  ['relay.get_mask', (device) => ({ result: device.mask })],
  ['relay.set_mask', maskCommand((_current, mask) => mask)],
  ['relay.close_mask', maskCommand((current, mask) => current | mask)],
  ['relay.open_mask', maskCommand((current, mask) => current & ~mask)],
  ['relay.close', relayCommand(true)],
  ['relay.open', relayCommand(false)],
  ['scpi.exec', (device, [line]) => ({ result: execScpi(typeof line === 'string' ? line : '', device) })],
]);

interface ResolvedMethod {
  qualifiedName: string;
  description: MethodDescription;
}

function resolve(method: string): ResolvedMethod | undefined {
  const dot = method.indexOf('.');
  if (dot >= 0) {
    const interfaceName = method.slice(0, dot);
    const description = findMethod(interfaceName, method.slice(dot + 1));
    return description === undefined ? undefined : { qualifiedName: method, description };
  }
  // A bare name goes to the first of the device's interfaces that has it.
  for (const interfaceName of PRM3_INTERFACE_NAMES) {
    const description = findMethod(interfaceName, method);
    if (description !== undefined) return { qualifiedName: `${interfaceName}.${method}`, description };
  }
  return undefined;
}

function argumentsFit(signature: string, args: readonly unknown[]): boolean {
  if (args.length !== signature.length) return false;
  return [...signature].every((type, i) =>
    type === 'u' ? isIntegerIn(args[i], 0, UINT32_MAX) : type === 's' ? typeof args[i] === 'string' : false,
  );
}

export function runMethod(device: Prm3Module, method: string, args: readonly unknown[]): CallReplyBody {
  if (!device.plugged) return { error: 'ENODEV: Device is no longer connected.' };
  const resolved = resolve(method);
  const implementation = resolved === undefined ? undefined : IMPLEMENTATIONS.get(resolved.qualifiedName);
  if (resolved === undefined || implementation === undefined) return { error: `ENOSYS: Unknown method "${method}".` };
  const { description } = resolved;
  if (!argumentsFit(description.in, args)) {
    const expected =
      description.in_names.length === 0
        ? 'no arguments'
        : `(${description.in_names.join(', ')}) of type "${description.in}"`;
    return { error: `EINVAL: ${resolved.qualifiedName} takes ${expected}.` };
  }
  return implementation(device, args);
}
