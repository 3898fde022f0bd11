/**
 * For use outside Node-RED (scripts, other integrations): the meter client, the PRM3 relay
 * operations it runs, and the simulator. Node-RED itself loads the nodes listed in package.json.
 */
import type * as Sim from './sim';
import type { MeterSimulator, SimulatorOptions } from './sim';

export { EgaugeClient, normalizeMeterUrl } from './webapi';
export { EgaugeError, isEgaugeError } from './errors';
export type { ClientOptions, ControlDevice, DeviceAttrs, RegisterSnapshot, UserRights } from './webapi';
export { executeRelayCommand, executeScpi } from './prm3/operations';
export type { RelayResult, ScpiResult } from './prm3/operations';
export { parseRelayCommand, ACCEPTED_RELAY_FORMS } from './prm3/command';
export type { RelayGrouping } from './prm3/mask';
export type { MeterSimulator, SimulatorOptions } from './sim';

/** Starts a simulated meter. The simulator is loaded on first use: the package itself never needs it. */
export async function startSimulator(options?: SimulatorOptions): Promise<MeterSimulator> {
  // A plain require at the point of use: a static import would load the simulator with the package.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the line above
  const sim = require('./sim') as typeof Sim;
  return sim.startSimulator(options);
}
