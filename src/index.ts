/**
 * For use outside Node-RED (scripts, other integrations): the meter client, the PRM3 relay
 * operations it runs, and the simulator. Node-RED itself loads the nodes listed in package.json.
 */
export { EgaugeClient, normalizeMeterUrl, EgaugeError, isEgaugeError } from './webapi';
export type { ClientOptions, ControlDevice, DeviceAttrs, RegisterSnapshot, UserRights } from './webapi';
export { executeRelayCommand, executeScpi } from './prm3/operations';
export type { RelayResult, ScpiResult } from './prm3/operations';
export { parseRelayCommand, ACCEPTED_RELAY_FORMS } from './prm3/command';
export type { RelayGrouping } from './prm3/mask';
export { startSimulator } from './sim';
export type { MeterSimulator, SimulatorOptions } from './sim';
