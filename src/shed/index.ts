/** Load shedding control law: pure and clock-injected, no Node-RED, no I/O. */
export * from './config';
export * from './events';
export { createShedder } from './controller';
export type { Decision, Shedder } from './controller';
export type { ReasonCode, ShedCommand, ShedNotice } from './context';
export type { Projection } from './demand';
export { serialiseState } from './state';
export type { LoadState, OnOff, Owner, ShedState } from './state';
export type { LoadView, ShedView } from './view';
