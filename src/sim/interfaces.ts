/** The control interfaces a PRM3 offers, as `GET /ctrl/interface` describes them. */

export interface MethodDescription {
  name: string;
  /** DBus type signature of the arguments: `u` uint32, `s` string, `""` none. */
  in: string;
  in_names: string[];
  /** DBus type signature of the result: `b` boolean, `""` none. */
  out: string;
  doc: string;
}

export type InterfaceDescriptions = Record<string, { method: MethodDescription[] }>;

function method(name: string, inSig: string, inNames: string[], out: string, doc: string): MethodDescription {
  return { name, in: inSig, in_names: inNames, out, doc };
}

export const PRM3_INTERFACES: InterfaceDescriptions = {
  relay: {
    method: [
      method(
        'get_mask',
        '',
        [],
        'u',
        'Return the relay state as a mask: bit 0 is relay 1, a set bit is a closed relay.',
      ),
      method(
        'set_mask',
        'u',
        ['mask'],
        'b',
        'Close the relays whose bit is set in <arg>mask</arg> and open the others.',
      ),
      method(
        'close_mask',
        'u',
        ['mask'],
        'b',
        'Close the relays whose bit is set in <arg>mask</arg>; leave the others.',
      ),
      method('open_mask', 'u', ['mask'], 'b', 'Open the relays whose bit is set in <arg>mask</arg>; leave the others.'),
      method('close', 'u', ['n'], '', 'Close the relay with index <arg>n</arg> (1 to 3).'),
      method('open', 'u', ['n'], '', 'Open the relay with index <arg>n</arg> (1 to 3).'),
    ],
  },
  scpi: {
    method: [method('exec', 's', ['cmd'], 's', 'Execute the SCPI command <arg>cmd</arg> and return its reply line.')],
  },
};

/** The interface names of a PRM3, in the order its device record lists them. */
export const PRM3_INTERFACE_NAMES: readonly string[] = Object.keys(PRM3_INTERFACES);

export function findMethod(interfaceName: string, methodName: string): MethodDescription | undefined {
  // Names come from requests: only own keys count, never `constructor` and the like.
  if (!Object.hasOwn(PRM3_INTERFACES, interfaceName)) return undefined;
  return PRM3_INTERFACES[interfaceName]?.method.find((entry) => entry.name === methodName);
}
