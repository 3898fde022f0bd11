/**
 * One simulator mode of the bench: the simulator in this process ("same": its CPU counts on
 * both sides of every ratio) or in a child process ("child": only the caller's CPU counts here),
 * with the floor's caller, a client and the ids of its flows in the shared runtime.
 */
import { startSimulator } from '../src/sim';
import type { MeterSimulator, SimulatorOptions } from '../src/sim/types';
import { EgaugeClient } from '../src/webapi';
import { FloorCaller, rawToken } from './floor';
import { startSimChild, type SimChild } from './sim-child';

export const LOGIN = { username: 'owner', password: 'bench-Pw-1' };
/** Four PRM3s: the sequential paths use the first, throughput spreads over all of them. */
export const DEVICES = ['00000001', '00000002', '00000003', '00000004'] as const;
/** The client's pool size (src/webapi/http.ts); the floor gets as many connections. */
export const CONNECTIONS = 6;

export type ModeName = 'same' | 'child';

export function simulatorOptions(extra: SimulatorOptions = {}): SimulatorOptions {
  return {
    minDurationS: 0,
    tokenLifetimeS: 3600,
    users: [{ ...LOGIN, rights: ['view', 'ctrl', 'save'] }],
    prm3s: DEVICES.map((sn) => ({ sn })),
    ...extra,
  };
}

export interface Mode {
  name: ModeName;
  url: string;
  token: string;
  floor: FloorCaller;
  client: EgaugeClient;
  /** The simulator when it runs in this process (its request log is readable). */
  sim: MeterSimulator | undefined;
  close(): Promise<void>;
}

export async function startMode(name: ModeName): Promise<Mode> {
  let sim: MeterSimulator | undefined;
  let child: SimChild | undefined;
  let url: string;
  if (name === 'same') {
    sim = await startSimulator(simulatorOptions());
    url = sim.url;
  } else {
    child = await startSimChild({ count: 1, options: simulatorOptions() });
    url = child.urls[0] ?? '';
  }
  const token = await rawToken(url, LOGIN);
  const floor = new FloorCaller(url, token, CONNECTIONS);
  const client = new EgaugeClient({ url, ...LOGIN });
  return {
    name,
    url,
    token,
    floor,
    client,
    sim,
    async close() {
      await client.close();
      await floor.close();
      await sim?.close();
      await child?.close();
    },
  };
}

/** 5, 2, 5, 2… (or from 2): a set that really moves the relays each time. */
export function alternatingMask(first: 5 | 2 = 5): () => number {
  let mask = first === 5 ? 2 : 5;
  return () => (mask = mask === 5 ? 2 : 5);
}
