#!/usr/bin/env node
/**
 * `egauge-sim`: runs the meter simulator so the Node-RED nodes can be tried without hardware.
 * Prints where it listens and the demo credentials, and stops cleanly on SIGINT/SIGTERM.
 */
import { parseCliArgs, USAGE, type CliSettings } from './cli-args';
import { DEMO_CERTIFICATE, DEMO_PRIVATE_KEY } from './demo-certificate';
import { startSimulator } from './simulator';
import type { MeterSimulator, SimulatorOptions } from './types';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

export interface CliRun {
  exitCode: number;
  /** The running simulator, when one was started; the caller stops it. */
  simulator?: MeterSimulator;
}

const consoleOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code: unknown = Reflect.get(error, 'code');
  return typeof code === 'string' ? code : undefined;
}

/** One line a user can act on, never a stack trace. */
function startFailure(error: unknown, settings: CliSettings): string {
  const where = `${settings.host}:${settings.port}`;
  switch (errorCode(error)) {
    case 'EADDRINUSE':
      return `port ${settings.port} on ${settings.host} is already in use; choose another with --port`;
    case 'EACCES':
      return `not allowed to listen on ${where} (ports below 1024 need privileges); choose another with --port`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `cannot listen on ${where}: no such local address; check --host`;
  }
  return `cannot start on ${where}: ${error instanceof Error ? error.message : String(error)}`;
}

function simulatorOptions(settings: CliSettings): SimulatorOptions {
  const options: SimulatorOptions = {
    host: settings.host,
    port: settings.port,
    users: [{ username: settings.user, password: settings.password, rights: ['view', 'ctrl', 'save'] }],
    deviceLatencyMs: settings.latencyMs,
    minDurationS: settings.minDurationS,
    tokenLifetimeS: settings.tokenLifetimeS,
    baseLoadW: settings.baseLoadW,
  };
  if (settings.loadSwing !== undefined) options.baseLoadSwing = settings.loadSwing;
  if (settings.prm3s.length > 0) options.prm3s = settings.prm3s;
  if (settings.https) options.tls = { cert: DEMO_CERTIFICATE, key: DEMO_PRIVATE_KEY };
  return options;
}

function describe(simulator: MeterSimulator, settings: CliSettings, output: CliOutput): void {
  const prm3s = settings.prm3s.length > 0 ? settings.prm3s.map((prm3) => prm3.sn) : ['00000004'];
  output.out(`eGauge meter simulator listening on ${simulator.url}`);
  output.out(`  meter URL:  ${simulator.url}   (WebAPI at ${simulator.url}/api)`);
  output.out(`  user:       ${settings.user}`);
  output.out(`  password:   ${settings.password}   (demo credentials)`);
  for (const sn of prm3s) output.out(`  PRM3:       ${sn} on ${simulator.device(sn).port}`);
  output.out(
    `  relay calls take ${settings.latencyMs} ms; minimum open/close time ${settings.minDurationS} s; tokens last ${settings.tokenLifetimeS} s`,
  );
  const swing =
    settings.loadSwing === undefined
      ? ''
      : `, swinging by ${settings.loadSwing.amplitudeW} W over ${settings.loadSwing.periodS} s`;
  output.out(`  grid power ${settings.baseLoadW} W with every relay open${swing}; closed relays add their loads`);
  if (settings.https)
    output.out(
      '  https uses a public demo certificate that clients do not trust: turn certificate verification off to connect',
    );
  output.out('Stop with Ctrl+C.');
}

/** Parses `argv` (without node and script), starts the simulator and reports; never throws. */
export async function runCli(argv: readonly string[], output: CliOutput = consoleOutput): Promise<CliRun> {
  const parsed = parseCliArgs(argv);
  if ('error' in parsed) {
    output.err(`egauge-sim: ${parsed.error}`);
    return { exitCode: 2 };
  }
  const { settings } = parsed;
  if (settings.help) {
    output.out(USAGE);
    return { exitCode: 0 };
  }
  let simulator: MeterSimulator;
  try {
    simulator = await startSimulator(simulatorOptions(settings));
  } catch (error) {
    output.err(`egauge-sim: ${startFailure(error, settings)}`);
    return { exitCode: 1 };
  }
  describe(simulator, settings, output);
  return { exitCode: 0, simulator };
}

/** Stops the simulator on the first SIGINT or SIGTERM; the process then ends by itself. */
function stopOnSignals(simulator: MeterSimulator): void {
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    simulator.close().then(
      () => consoleOutput.out('egauge-sim stopped.'),
      (error: unknown) => {
        consoleOutput.err(
          `egauge-sim: error while stopping: ${error instanceof Error ? error.message : String(error)}`,
        );
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((run) => {
    process.exitCode = run.exitCode;
    if (run.simulator !== undefined) stopOnSignals(run.simulator);
  });
}
