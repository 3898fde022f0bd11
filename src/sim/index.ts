/** The eGauge meter + PRM3 simulator: `startSimulator()` and its public types. */
export { startSimulator } from './simulator';
export type * from './types';
