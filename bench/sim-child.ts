/**
 * Simulators in a child process, so their CPU is not counted in the process being measured.
 * The parent forks this file with a JSON configuration as its argument; it starts that many
 * simulators (one port each), sends their URLs, answers `stats` and stops on `close`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startSimulator } from '../src/sim';
import type { MeterSimulator, SimulatorOptions } from '../src/sim/types';

export interface SimChildConfig {
  count: number;
  options: SimulatorOptions;
}

export interface SimChildStats {
  /** Successful logins per simulator. */
  logins: number[];
  /** Requests served since the start, all simulators. */
  requests: number;
}

type Reply =
  { type: 'ready'; urls: string[] } | { type: 'stats'; stats: SimChildStats } | { type: 'failed'; message: string };

function isReply(value: unknown): value is Reply {
  if (typeof value !== 'object' || value === null) return false;
  const type: unknown = Reflect.get(value, 'type');
  return type === 'ready' || type === 'stats' || type === 'failed';
}

export interface SimChild {
  urls: string[];
  stats(): Promise<SimChildStats>;
  close(): Promise<void>;
}

/** Forks the simulators' process and waits until every simulator listens. */
export function startSimChild(config: SimChildConfig): Promise<SimChild> {
  const child: ChildProcess = fork(__filename, [JSON.stringify(config)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: unknown): void => {
        if (!isReply(message)) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(message);
      };
      const onExit = (code: number | null): void => reject(new Error(`simulator process exited (${String(code)})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return next().then((first) => {
    if (first.type !== 'ready') {
      child.kill();
      throw new Error(first.type === 'failed' ? first.message : 'simulator process did not start');
    }
    return {
      urls: first.urls,
      stats: async () => {
        const reply = next();
        child.send({ type: 'stats' });
        const answer = await reply;
        if (answer.type !== 'stats') throw new Error('simulator process answered out of turn');
        return answer.stats;
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.send({ type: 'close' });
        }),
    };
  });
}

async function runChild(config: SimChildConfig): Promise<void> {
  const sims: MeterSimulator[] = [];
  let requests = 0;
  for (let i = 0; i < config.count; i++) sims.push(await startSimulator(config.options));
  // The log is for tests; over a long run it would be the largest thing in this process.
  const trim = setInterval(() => {
    for (const sim of sims) {
      requests += sim.log.length;
      sim.clearLog();
    }
  }, 1000);
  process.on('message', (message: unknown) => {
    const type: unknown = typeof message === 'object' && message !== null ? Reflect.get(message, 'type') : undefined;
    if (type === 'stats') {
      const served = requests + sims.reduce((sum, sim) => sum + sim.log.length, 0);
      process.send?.({ type: 'stats', stats: { logins: sims.map((sim) => sim.logins()), requests: served } });
    } else if (type === 'close') {
      clearInterval(trim);
      void Promise.all(sims.map((sim) => sim.close())).then(() => process.exit(0));
    }
  });
  // A parent that died leaves no simulators behind.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', urls: sims.map((sim) => sim.url) });
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as SimChildConfig;
  runChild(config).catch((error: unknown) => {
    process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  });
}
