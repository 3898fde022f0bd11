/**
 * Starts the meter simulator and makes clients for it with short, test-friendly timeouts.
 * Everything it made is closed by `close()`, and every error a test checked is kept so a
 * final test can prove no secret ever appeared in one.
 */
import { startSimulator } from '../../src/sim';
import type { MeterSimulator, SimLogEntry, SimulatorOptions } from '../../src/sim/types';
import { EgaugeClient, type ClientOptions, type ClientState } from '../../src/webapi';

export const USERNAME = 'owner';
/** Distinctive, so tests can prove it never shows up in a message. */
export const PASSWORD = 'Pw-31c7e-not-for-messages';

export class SimFixture {
  private readonly clients: EgaugeClient[] = [];

  private constructor(readonly sim: MeterSimulator) {}

  static async start(options: SimulatorOptions = {}): Promise<SimFixture> {
    const sim = await startSimulator({
      minDurationS: 0,
      users: [{ username: USERNAME, password: PASSWORD, rights: ['view', 'ctrl', 'save'] }],
      ...options,
    });
    return new SimFixture(sim);
  }

  /** A client for this simulator; closed with the fixture. */
  client(overrides: Partial<ClientOptions> = {}): EgaugeClient {
    const client = new EgaugeClient({
      url: this.sim.url,
      username: USERNAME,
      password: PASSWORD,
      requestTimeoutMs: 3_000,
      callTimeoutMs: 5_000,
      authBackoff: { initialMs: 500, maxMs: 2_000 },
      ...overrides,
    });
    this.clients.push(client);
    return client;
  }

  /** POST /ctrl/call requests the meter accepted (a 401 refusal never reached a device). */
  acceptedCalls(method?: string): SimLogEntry[] {
    return this.sim.ctrlCalls(method).filter((entry) => entry.status === 200 && entry.authorized);
  }

  /** Requests that reached the simulator for one path below /api. */
  requests(method: string, path: string): SimLogEntry[] {
    return this.sim.log.filter((entry) => entry.method === method && entry.path === `/api${path}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
    await this.sim.close();
  }
}

/** Every state a client reports, in order. */
export function recordStates(client: EgaugeClient): ClientState[] {
  const states: ClientState[] = [];
  client.on('state', (state: ClientState) => states.push(state));
  return states;
}

/** Errors the tests produced; checked for secrets at the end of the run. */
export const producedErrors: Error[] = [];

/** Awaits a rejection, checks its class, remembers it, and returns it. */
export async function rejection<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) producedErrors.push(error);
    if (error instanceof type) return error;
    throw new Error(
      `expected ${type.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      { cause: error },
    );
  }
  throw new Error(`expected ${type.name}, but the promise resolved`);
}

/** Waits until `condition` holds, polling every 5 ms, or fails after `ms`. */
export async function eventually(condition: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Log lines clients wrote; checked for secrets like errors. */
export const producedLogLines: string[] = [];

export function collectLog(level: 'debug' | 'warn', text: string): void {
  producedLogLines.push(`${level}: ${text}`);
}

/** Fails if any message or log line holds the password, a login hash, or anything token-shaped. */
export function assertNoSecrets(texts: string[], secrets: string[]): void {
  for (const text of texts) {
    for (const secret of secrets) {
      if (secret !== '' && text.includes(secret)) throw new Error(`a secret appeared in: ${text.slice(0, 80)}`);
    }
    if (/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.test(text))
      throw new Error(`something token-shaped appeared in: ${text.slice(0, 80)}`);
  }
}

/** Login hashes and client nonces the simulator saw: secrets of the same kind as the password. */
export function loginSecrets(sim: MeterSimulator): string[] {
  const secrets: string[] = [PASSWORD];
  for (const entry of sim.log) {
    const body = entry.body;
    if (entry.path === '/api/auth/login' && typeof body === 'object' && body !== null) {
      const hash: unknown = Reflect.get(body, 'hash');
      if (typeof hash === 'string') secrets.push(hash);
    }
  }
  return secrets;
}
