/** `npm start`: the demo on the simulator, until Ctrl-C. */
import { DEMO_LOGIN, PortInUseError, startDemo, type DemoOptions } from './demo';

const USAGE = `usage: npm start -- [--port N] [--sim-port N]
  --port N       Node-RED's port (default 1880, or $PORT)
  --sim-port N   the meter simulator's port (default 8080, or $SIM_PORT)`;

export function parseArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): DemoOptions | { help: true } | { error: string } {
  const options: DemoOptions = {};
  const port = (text: string | undefined, name: string): number | string => {
    const n = Number(text);
    return text !== undefined && /^\d+$/.test(text) && n <= 65535
      ? n
      : `${name} needs a port number from 0 to 65535, got "${text ?? ''}"`;
  };
  if (env['PORT'] !== undefined && env['PORT'] !== '') {
    const p = port(env['PORT'], 'PORT');
    if (typeof p === 'string') return { error: p };
    options.nodeRedPort = p;
  }
  if (env['SIM_PORT'] !== undefined && env['SIM_PORT'] !== '') {
    const p = port(env['SIM_PORT'], 'SIM_PORT');
    if (typeof p === 'string') return { error: p };
    options.simPort = p;
  }
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    if (arg !== '--port' && arg !== '--sim-port') return { error: `unknown option "${arg ?? ''}"\n${USAGE}` };
    const p = port(argv[i + 1], arg);
    if (typeof p === 'string') return { error: p };
    if (arg === '--port') options.nodeRedPort = p;
    else options.simPort = p;
    i += 1;
  }
  return options;
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2), process.env);
  if ('help' in parsed) {
    console.log(USAGE);
    return;
  }
  if ('error' in parsed) {
    console.error(parsed.error);
    process.exitCode = 1;
    return;
  }
  console.log('Starting the meter simulator and Node-RED…');
  const demo = await startDemo(parsed);
  console.log(`
  Node-RED editor:  ${demo.editorUrl}
  Relay dashboard:  ${demo.dashboardUrl}
  Meter simulator:  ${demo.sim.url}  (user ${DEMO_LOGIN.username}, password ${DEMO_LOGIN.password}: the simulator's demo login)

  The simulated house load rises and falls over two minutes: watch the load-shedding flow
  switch the loads, or switch relays yourself on the dashboard. Ctrl-C stops everything.
`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    demo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(
      error instanceof PortInUseError
        ? error.message
        : `The demo could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  });
}
