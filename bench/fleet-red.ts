/**
 * The fleet's Node-RED process: deploys one meter node per simulator with its `prm3 mask`
 * nodes polling every second and an `egauge register` node reading every second, lets it run,
 * and reports its own event-loop lag, CPU, RSS and heap to the parent.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FleetProcessConfig, FleetProcessReport } from './fleet';
import { startRuntime, type Credentials } from './runtime';
import { round } from './stats';

function fleetFlow(config: FleetProcessConfig): unknown[] {
  const flow: unknown[] = [{ id: 'fleet', type: 'tab', label: 'fleet' }];
  config.urls.forEach((url, m) => {
    const meter = `meter${m}`;
    flow.push({ id: meter, type: 'egauge-meter', name: `site ${m}`, url, verify: true, timeout: 10, callTimeout: 30 });
    config.serials.forEach((sn, d) => {
      flow.push({
        id: `${meter}-prm3-${d}`,
        type: 'prm3 mask',
        z: 'fleet',
        x: 100,
        y: 100,
        meter,
        device: sn,
        relays: '1,2,3',
        output: 'mask',
        poll: 1,
        pollOutput: 'change',
        mode: 'queue',
        wires: [[]],
      });
    });
    flow.push({
      id: `${meter}-power`,
      type: 'egauge register',
      z: 'fleet',
      x: 100,
      y: 100,
      meter,
      registers: ['Grid'],
      interval: 1,
      onDeploy: false,
      wires: [[]],
    });
  });
  return flow;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

const mb = (bytes: number): number => bytes / (1024 * 1024);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(config: FleetProcessConfig): Promise<void> {
  // A parent that died leaves no Node-RED behind.
  process.on('disconnect', () => process.exit(0));
  const credentials: Credentials = Object.fromEntries(config.urls.map((_, m) => [`meter${m}`, config.login]));
  const runtime = await startRuntime(fleetFlow(config), credentials, {});
  await sleep(config.warmupMs);

  gc();
  const before = process.memoryUsage();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  process.send?.('measuring');
  await sleep(config.measureMs);
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  lag.disable();
  gc();
  const after = process.memoryUsage();
  const report: FleetProcessReport = {
    // The histogram counts each 10 ms tick's full interval: the lag is what exceeds it.
    lagP50Ms: round(Math.max(0, lag.percentile(50) / 1e6 - 10), 2),
    lagP99Ms: round(Math.max(0, lag.percentile(99) / 1e6 - 10), 2),
    lagMaxMs: round(Math.max(0, lag.max / 1e6 - 10), 2),
    cpuPercent: round(((used.user + used.system) / 1000 / wall) * 100, 1),
    rssGrowthMb: round(mb(after.rss - before.rss), 1),
    heapGrowthMb: round(mb(after.heapUsed - before.heapUsed), 1),
    rssMb: round(mb(after.rss), 0),
  };
  process.send?.(report);
  process.once('message', () => {
    void runtime.stop().then(() => process.exit(0));
  });
}

main(JSON.parse(process.argv[2] ?? '{}') as FleetProcessConfig).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
