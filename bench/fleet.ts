/**
 * The fleet: many meters, each with three PRM3s polled every second and a power reading every
 * second, all in ONE Node-RED process (a child, so its figures are its own). The simulators run
 * in another child process, one port per meter.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { LOGIN, simulatorOptions } from './modes';
import type { FleetFigures } from './results';
import { startSimChild } from './sim-child';
import { round } from './stats';

export type FleetResult = FleetFigures;

export interface FleetOptions {
  minutes: number;
  meters?: number;
  devicesPerMeter?: number;
  /** Unmeasured time first, so start-up (logins, JIT, first directory reads) is not counted. */
  warmupS?: number;
}

/** What the Node-RED child measures and sends back. */
export interface FleetProcessReport {
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  cpuPercent: number;
  rssGrowthMb: number;
  heapGrowthMb: number;
  rssMb: number;
}

export interface FleetProcessConfig {
  urls: string[];
  serials: string[];
  login: { username: string; password: string };
  measureMs: number;
  warmupMs: number;
}

const TOKEN_LIFETIME_S = 600;

function isReport(value: unknown): value is FleetProcessReport {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'lagP99Ms') === 'number';
}

export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const meters = options.meters ?? 100;
  const perMeter = options.devicesPerMeter ?? 3;
  const serials = Array.from({ length: perMeter }, (_, i) => String(i + 1).padStart(8, '0'));
  const warmupMs = (options.warmupS ?? 30) * 1000;
  const measureMs = options.minutes * 60_000;
  const started = Date.now();
  const sims = await startSimChild({
    count: meters,
    options: simulatorOptions({ prm3s: serials.map((sn) => ({ sn })), tokenLifetimeS: TOKEN_LIFETIME_S }),
  });
  try {
    const config: FleetProcessConfig = { urls: sims.urls, serials, login: LOGIN, measureMs, warmupMs };
    const child = fork(path.join(__dirname, 'fleet-red.js'), [JSON.stringify(config)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let startRequests = 0;
    const report = await new Promise<FleetProcessReport>((resolve, reject) => {
      child.on('message', (message: unknown) => {
        if (message === 'measuring') void sims.stats().then((s) => (startRequests = s.requests));
        else if (isReport(message)) resolve(message);
      });
      child.once('exit', (code) => reject(new Error(`the fleet's Node-RED process exited early (${String(code)})`)));
    });
    const stats = await sims.stats();
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send('stop');
    });
    const logins = stats.logins.reduce((sum, n) => sum + n, 0);
    return {
      meters,
      devices: meters * perMeter,
      registerNodes: meters,
      minutes: options.minutes,
      warmupS: warmupMs / 1000,
      runSeconds: Math.round((Date.now() - started) / 1000),
      tokenLifetimeS: TOKEN_LIFETIME_S,
      ...report,
      loginsPerMeter: round(logins / meters, 2),
      callsPerSecond: round(((stats.requests - startRequests) * 1000) / measureMs, 0),
    };
  } finally {
    await sims.close();
  }
}
