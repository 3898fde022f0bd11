/**
 * A real Node-RED runtime in this process, from the `node-red` package as users embed it: its
 * own flow file, credential store and admin API. Rounds are started the way a user starts a
 * flow, by pressing an inject node's button (POST /inject/:id); the flow's last function node
 * reports each message to the bench through the global context and sends it round again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

interface EmbeddedRed {
  init(server: http.Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  events: { once(event: string, listener: () => void): void };
}

export interface Runtime {
  /** Presses an inject node's button. */
  press(injectId: string): Promise<void>;
  stop(): Promise<void>;
}

export interface Credentials {
  [configNodeId: string]: { username: string; password: string };
}

/**
 * Starts Node-RED with `flow` deployed and `globals` in its global context. Only one runtime
 * per process: Node-RED's modules are singletons.
 */
export async function startRuntime(
  flow: readonly unknown[],
  credentials: Credentials,
  globals: Record<string, unknown>,
): Promise<Runtime> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node-RED loads only when a round embeds it
  const RED = require('node-red') as EmbeddedRed;
  const userDir = mkdtempSync(path.join(os.tmpdir(), 'prm3-bench-'));
  writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  // A throw-away user directory on loopback: plain credentials are fine here.
  writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials));
  const server = http.createServer((req, res) => RED.httpAdmin(req, res));
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    nodesDir: [PROJECT_ROOT],
    httpAdminRoot: '/',
    httpNodeRoot: false,
    disableEditor: true,
    functionGlobalContext: globals,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
  });
  const started = new Promise<void>((resolve) => RED.events.once('flows:started', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await RED.start();
  await started;
  const admin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async press(injectId) {
      const res = await request(`${admin}/inject/${injectId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`inject ${injectId}: HTTP ${res.statusCode} ${text}`);
    },
    async stop() {
      await RED.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** What one round of a sequential path is waiting for. */
interface LapRound {
  count: number;
  samples: number[];
  last: number | undefined;
  cpuStart: NodeJS.CpuUsage | undefined;
  next: () => unknown;
  resolve: (round: { samples: number[]; cpuMs: number }) => void;
}

/** What one throughput round is counting. */
interface TickRound {
  callers: number;
  end: number;
  done: number;
  inFlight: number;
  durationMs: number;
  resolve: (perSecond: number) => void;
}

/**
 * The bench's side of the flows, reached from function nodes as `global.get('bench')`. Every
 * message carries `msg.benchPath`, naming the path it times.
 */
export class BenchHooks {
  private readonly laps = new Map<string, LapRound>();
  private readonly ticks = new Map<string, TickRound>();
  private readonly rawPaths = new Map<string, () => Promise<unknown>>();

  /** The work the raw-request function node of `path` does (Node-RED's own cost). */
  setRaw(path: string, work: () => Promise<unknown>): void {
    this.rawPaths.set(path, work);
  }

  /** Called by the raw-request function node. */
  raw(path: string): Promise<unknown> {
    const work = this.rawPaths.get(path);
    if (!work) return Promise.reject(new Error(`no raw work for ${path}`));
    return work();
  }

  /** Waits for `count` laps of `path` after the first; `next` gives each pass's payload. */
  startLaps(path: string, count: number, next: () => unknown): Promise<{ samples: number[]; cpuMs: number }> {
    return new Promise((resolve) =>
      this.laps.set(path, { count, samples: [], last: undefined, cpuStart: undefined, next, resolve }),
    );
  }

  /** Called by a path's last function node: the payload for the next pass, or undefined to stop. */
  lap(path: string): unknown {
    const round = this.laps.get(path);
    if (!round) return undefined;
    const now = performance.now();
    if (round.last === undefined) round.cpuStart = process.cpuUsage();
    else round.samples.push(now - round.last);
    round.last = now;
    if (round.samples.length < round.count) return round.next();
    this.laps.delete(path);
    const used = process.cpuUsage(round.cpuStart);
    round.resolve({ samples: round.samples, cpuMs: (used.user + used.system) / 1000 });
    return undefined;
  }

  /** Counts messages of `path` that complete within `durationMs` after the first is sent. */
  startTicks(path: string, callers: number, durationMs: number): Promise<number> {
    return new Promise((resolve) =>
      this.ticks.set(path, { callers, end: Number.POSITIVE_INFINITY, done: 0, inFlight: callers, durationMs, resolve }),
    );
  }

  /** Called by the fan-out function node: how many messages to start. */
  callers(path: string): number {
    const round = this.ticks.get(path);
    if (!round) return 0;
    round.end = performance.now() + round.durationMs;
    return round.callers;
  }

  /** Called by the throughput path's last node: true to send the message round again. */
  tick(path: string): boolean {
    const round = this.ticks.get(path);
    if (!round) return false;
    if (performance.now() <= round.end) {
      round.done++;
      return true;
    }
    if (--round.inFlight === 0) {
      this.ticks.delete(path);
      round.resolve((round.done * 1000) / round.durationMs);
    }
    return false;
  }
}
