/** Counts the bench records beside the timings: requests, logins, polls and heap. */
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim/types';
import { EgaugeClient } from '../src/webapi';
import { ids } from './flows';
import { alternatingMask, DEVICES, LOGIN, simulatorOptions } from './modes';
import type { BenchHooks, Runtime } from './runtime';
import { median, round } from './stats';

const SN = DEVICES[0];

function client(sim: MeterSimulator): EgaugeClient {
  return new EgaugeClient({ url: sim.url, ...LOGIN });
}

/** HTTP requests per `set` through the `prm3 mask` flow (set_mask, then the read-back). */
export async function requestsPerSet(
  sim: MeterSimulator,
  runtime: Runtime,
  hooks: BenchHooks,
  sets: number,
): Promise<number> {
  const path = ids.mask('same', 'set');
  sim.clearLog();
  const done = hooks.startLaps(path, sets, alternatingMask(2));
  await runtime.press(path);
  await done;
  const requests = sim.log.length;
  const setCalls = sim.ctrlCalls('relay.set_mask').length;
  sim.clearLog();
  return round(requests / setCalls, 2);
}

/** HTTP requests and logins per `call()` over many sequential calls. */
export async function requestsPerCall(
  sim: MeterSimulator,
  calls: number,
): Promise<{ requestsPerCall: number; loginsPer10k: number }> {
  const c = client(sim);
  await c.call({ sn: SN }, 'relay.get_mask', []);
  sim.clearLog();
  const before = c.stats();
  for (let i = 0; i < calls; i++) await c.call({ sn: SN }, 'relay.get_mask', []);
  const requests = sim.log.length;
  const logins = c.stats().logins - before.logins;
  sim.clearLog();
  await c.close();
  return { requestsPerCall: round(requests / calls, 3), loginsPer10k: round((logins * 10_000) / calls, 2) };
}

export async function coldStartLogins(sim: MeterSimulator): Promise<number> {
  const before = sim.logins();
  const c = client(sim);
  await Promise.all(Array.from({ length: 50 }, () => c.call({ sn: SN }, 'relay.get_mask', [])));
  await c.close();
  return sim.logins() - before;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

export async function heapGrowthMb(sim: MeterSimulator, calls: number): Promise<number> {
  const c = client(sim);
  for (let i = 0; i < 2000; i++) await c.call({ sn: SN }, 'relay.get_mask', []);
  sim.clearLog(); // what earlier runs left in the simulator's log is not the client's memory
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < calls; i++) {
    await c.call({ sn: SN }, 'relay.get_mask', []);
    if (i > 0 && i % 10_000 === 0) sim.clearLog(); // it grows by two entries a call
  }
  sim.clearLog();
  gc();
  const growth = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
  await c.close();
  return round(growth, 2);
}

export interface PollingResult {
  deviceLatencyMs: number;
  extraWaitMs: number;
  polls: number;
  firstCallPolls: number;
  firstCallExtraWaitMs: number;
}

function pollsOf(sim: MeterSimulator): number {
  return sim.log.filter((e) => e.method === 'GET' && e.path.startsWith('/api/ctrl/call/')).length;
}

/** Polls and the wait past the device's latency, on a fresh client, first call apart. */
export async function polling(deviceLatencyMs: number, calls: number): Promise<PollingResult> {
  const sim = await startSimulator(simulatorOptions({ deviceLatencyMs }));
  const c = client(sim);
  await c.rights(); // log in first: the login is not part of the wait being measured
  const extra: number[] = [];
  const polls: number[] = [];
  for (let i = 0; i < calls; i++) {
    sim.clearLog();
    const start = performance.now();
    await c.call({ sn: SN }, 'relay.get_mask', []);
    extra.push(performance.now() - start - deviceLatencyMs);
    polls.push(pollsOf(sim));
  }
  await c.close();
  await sim.close();
  return {
    deviceLatencyMs,
    extraWaitMs: round(median(extra.slice(1)), 2),
    polls: median(polls.slice(1)),
    firstCallPolls: polls[0] ?? 0,
    firstCallExtraWaitMs: round(extra[0] ?? 0, 2),
  };
}

/**
 * Polls of the first call to a second PRM3 of the same model on a meter whose first PRM3 the
 * client already knows (both answer in `deviceLatencyMs`).
 */
export async function firstCallPollsKnownModel(
  deviceLatencyMs: number,
): Promise<{ polls: number; extraWaitMs: number }> {
  const sim = await startSimulator(simulatorOptions({ deviceLatencyMs }));
  const c = client(sim);
  await c.rights();
  for (let i = 0; i < 3; i++) await c.call({ sn: DEVICES[0] }, 'relay.get_mask', []);
  sim.clearLog();
  const start = performance.now();
  await c.call({ sn: DEVICES[1] }, 'relay.get_mask', []);
  const extraWaitMs = performance.now() - start - deviceLatencyMs;
  const polls = pollsOf(sim);
  await c.close();
  await sim.close();
  return { polls, extraWaitMs: round(extraWaitMs, 1) };
}
