/**
 * `npm run bench`: the client and the nodes against the floor (raw HTTP), all in one run on the
 * simulator, printed as a table and written to bench/results.json. Ratios, not absolute times,
 * are what carries from one machine to another.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim/types';
import { EgaugeClient } from '../src/webapi/client';
import { FloorCaller, rawToken } from './floor';
import { loadFloorNodeFlow, loadHttpRequestFlow, loadMaskFlow, unloadFlow } from './flows';
import { median, percentile, round, throughput, timeInterleaved, type Timing } from './stats';

const LOGIN = { username: 'owner', password: 'bench-Pw-1' };
const DEVICE = { sn: '00000004' };
const SEQUENTIAL = Number(process.env['BENCH_CALLS'] ?? 4000);
const WARMUP = 1000;
const THROUGHPUT_MS = 3000;
const HEAP_CALLS = 100_000;

function simulator(deviceLatencyMs = 0): Promise<MeterSimulator> {
  return startSimulator({ minDurationS: 0, deviceLatencyMs, users: [{ ...LOGIN, rights: ['view', 'ctrl', 'save'] }] });
}

function client(sim: MeterSimulator): EgaugeClient {
  return new EgaugeClient({ url: sim.url, ...LOGIN });
}

interface PathResult extends Timing {
  perSecond1: number;
  perSecond16: number;
  /** The floor's median over the rounds that alternated with this path. */
  pairedFloorMs: number;
}

/** Every raw-HTTP sample taken beside the paths: the floor of this run. */
const floorSamples: number[] = [];

async function measure(floor: FloorCaller, once: () => Promise<unknown>): Promise<PathResult> {
  const timed = await timeInterleaved(SEQUENTIAL, WARMUP, () => floor.getMask(DEVICE.sn), once);
  floorSamples.push(...timed.floor);
  return { ...timed.path, pairedFloorMs: median(timed.floor), perSecond1: await throughput(1, THROUGHPUT_MS, once), perSecond16: await throughput(16, THROUGHPUT_MS, once) };
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

async function floorThroughput(sim: MeterSimulator, token: string, floor: FloorCaller): Promise<PathResult> {
  const perSecond1 = await throughput(1, THROUGHPUT_MS, () => floor.getMask(DEVICE.sn));
  // Sixteen callers on sixteen connections: the most raw HTTP can do, order not kept.
  const many = new FloorCaller(sim.url, token, 16);
  const perSecond16 = await throughput(16, THROUGHPUT_MS, () => many.getMask(DEVICE.sn));
  await many.close();
  const medianMs = median(floorSamples);
  return { medianMs: round(medianMs), p99Ms: round(percentile(floorSamples, 99)), perSecond1, perSecond16, pairedFloorMs: medianMs };
}

async function clientPath(sim: MeterSimulator, floor: FloorCaller): Promise<PathResult & { requestsPerCall: number; loginsPer10k: number }> {
  const c = client(sim);
  const result = await measure(floor, () => c.call(DEVICE, 'relay.get_mask', []));
  sim.clearLog();
  const before = c.stats();
  for (let i = 0; i < 10_000; i++) await c.call(DEVICE, 'relay.get_mask', []);
  const after = c.stats();
  const requestsPerCall = round(sim.log.length / 10_000, 3);
  await c.close();
  return { ...result, requestsPerCall, loginsPer10k: after.logins - before.logins };
}

async function coldStartLogins(sim: MeterSimulator): Promise<number> {
  const before = sim.logins();
  const c = client(sim);
  await Promise.all(Array.from({ length: 50 }, () => c.call(DEVICE, 'relay.get_mask', [])));
  await c.close();
  return sim.logins() - before;
}

async function heapGrowthMb(sim: MeterSimulator): Promise<number> {
  const c = client(sim);
  for (let i = 0; i < 2000; i++) await c.call(DEVICE, 'relay.get_mask', []);
  sim.clearLog(); // what earlier runs left in the simulator's log is not the client's memory
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < HEAP_CALLS; i++) {
    await c.call(DEVICE, 'relay.get_mask', []);
    if (i > 0 && i % 50_000 === 0) sim.clearLog(); // it grows by two entries a call
  }
  sim.clearLog();
  gc();
  const growth = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
  await c.close();
  return round(growth, 2);
}

interface PollingResult {
  deviceLatencyMs: number;
  extraWaitMs: number;
  polls: number;
  firstCallPolls: number;
  firstCallExtraWaitMs: number;
}

async function polling(deviceLatencyMs: number, calls: number): Promise<PollingResult> {
  const sim = await simulator(deviceLatencyMs);
  const c = client(sim);
  await c.rights(); // log in first: the login is not part of the wait being measured
  const extra: number[] = [];
  const polls: number[] = [];
  for (let i = 0; i < calls; i++) {
    sim.clearLog();
    const start = performance.now();
    await c.call(DEVICE, 'relay.get_mask', []);
    extra.push(performance.now() - start - deviceLatencyMs);
    polls.push(sim.log.filter((e) => e.method === 'GET' && e.path.startsWith('/api/ctrl/call/')).length);
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

async function main(): Promise<void> {
  const started = Date.now();
  const sim = await simulator();
  console.log(`bench: ${SEQUENTIAL} sequential calls per path, alternating in rounds with as many raw-HTTP calls (the floor); Node ${process.version}, ${os.cpus().length} cores`);

  const token = await rawToken(sim.url, LOGIN);
  const raw = new FloorCaller(sim.url, token, 1);
  const viaClient = await clientPath(sim, raw);
  const cold = await coldStartLogins(sim);

  const floorNode = await loadFloorNodeFlow(raw, DEVICE.sn);
  const runtimeFloor = await measure(raw, () => floorNode.send(null));
  await unloadFlow();
  const maskFlow = await loadMaskFlow(sim.url, LOGIN);
  const flow = await measure(raw, () => maskFlow.send('get'));
  await unloadFlow();
  const handWired = await loadHttpRequestFlow(sim.url, token);
  const httpRequestFlow = await measure(raw, () => handWired.send(null));
  await unloadFlow();
  const floor = await floorThroughput(sim, token, raw);
  await raw.close();

  const heap = await heapGrowthMb(sim);
  await sim.close();
  const pollingResults = [await polling(20, 40), await polling(200, 15), await polling(2000, 8)];

  // Against the floor samples taken in the same rounds: the machine's speed drifts over a run.
  const ratio = (t: PathResult): number => round(t.medianMs / t.pairedFloorMs, 2);
  const rows: Array<[string, PathResult]> = [
    ['floor (raw undici)', floor],
    ['client call()', viaClient],
    ['raw requests in a node', runtimeFloor],
    ['prm3 mask flow', flow],
    ['http request flow', httpRequestFlow],
  ];
  console.log('\npath                    median ms   p99 ms   floor beside   × floor   calls/s (1)   calls/s (16)');
  for (const [name, r] of rows) {
    const cells = [r.medianMs.toFixed(3).padStart(9), r.p99Ms.toFixed(3).padStart(7), r.pairedFloorMs.toFixed(3).padStart(12), ratio(r).toFixed(2).padStart(8)];
    console.log(`${name.padEnd(22)}  ${cells.join('  ')}  ${r.perSecond1.toFixed(0).padStart(12)}  ${r.perSecond16.toFixed(0).padStart(13)}`);
  }
  console.log(`\nHTTP requests per call: ${viaClient.requestsPerCall}; logins per 10,000 calls: ${viaClient.loginsPer10k}; logins for 50 concurrent cold calls: ${cold}`);
  console.log(`heap growth after ${HEAP_CALLS.toLocaleString('en')} calls: ${heap} MB${(globalThis as { gc?: unknown }).gc === undefined ? ' (run with --expose-gc for a steadier figure)' : ''}`);
  console.log('\ndevice latency   extra wait (median)   polls (median)   first call: polls, extra wait');
  for (const p of pollingResults) {
    console.log(`${String(p.deviceLatencyMs).padStart(10)} ms  ${p.extraWaitMs.toFixed(2).padStart(16)} ms  ${String(p.polls).padStart(15)}  ${String(p.firstCallPolls).padStart(14)}, ${p.firstCallExtraWaitMs.toFixed(1)} ms`);
  }

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cores: os.cpus().length,
    calls: SEQUENTIAL,
    floorMedianMs: floor.medianMs,
    clientMedianMs: viaClient.medianMs,
    flowMedianMs: flow.medianMs,
    runtimeFloorMedianMs: runtimeFloor.medianMs,
    httpRequestFlowMedianMs: httpRequestFlow.medianMs,
    floorP99Ms: floor.p99Ms,
    clientP99Ms: viaClient.p99Ms,
    flowP99Ms: flow.p99Ms,
    httpRequestFlowP99Ms: httpRequestFlow.p99Ms,
    clientToFloor: ratio(viaClient),
    flowToFloor: ratio(flow),
    runtimeFloorToFloor: ratio(runtimeFloor),
    httpRequestFlowToFloor: ratio(httpRequestFlow),
    pairedFloorMedianMs: Object.fromEntries(rows.map(([name, r]) => [name, round(r.pairedFloorMs)])),
    callsPerSecond: Object.fromEntries(rows.map(([name, r]) => [name, { concurrency1: r.perSecond1, concurrency16: r.perSecond16 }])),
    requestsPerCall: viaClient.requestsPerCall,
    loginsPer10kCalls: viaClient.loginsPer10k,
    coldStartLogins: cold,
    heapGrowthMbPer100k: heap,
    polling: pollingResults,
    durationS: Math.round((Date.now() - started) / 1000),
  };
  const file = path.resolve(__dirname, '..', '..', 'bench', 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to bench/results.json in ${results.durationS} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
