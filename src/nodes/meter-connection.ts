/**
 * What one `egauge-meter` config node owns: the logged-in client, the device directory, and
 * the nodes that use it (so connection state reaches every one of them as status).
 * No Node-RED imports: the config node file only wires this to the runtime.
 */
import { EgaugeClient, type ClientOptions, type ClientState } from '../webapi';
import type { EgaugeError } from '../errors';
import { DeviceDirectory } from '../prm3/device';
import type { MeterSettings } from './egauge-meter/settings';

export interface MeterUser {
  meterState(state: ClientState, error?: EgaugeError): void;
}

/**
 * Where and as whom a deployed meter logs in, without the password: the admin routes compare a
 * dialog's fields with it before they let the stored password be used.
 */
export interface MeterTarget {
  /** Normalised, e.g. `http://192.168.1.50/api`. */
  url: string;
  username: string;
  /** Id of the `tls-config` node, or '' for none. */
  tls: string;
  verify: boolean;
}

export interface TlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** Bound on close so a redeploy never waits on a meter that does not answer. */
const CLOSE_LIMIT_MS = 1800;

export function clientOptions(settings: MeterSettings, tls: TlsMaterial, log?: ClientOptions['log']): ClientOptions {
  const options: ClientOptions = {
    url: settings.url,
    username: settings.username,
    password: settings.password,
    requestTimeoutMs: settings.requestTimeoutMs,
    callTimeoutMs: settings.callTimeoutMs,
    tls: { ...tls, rejectUnauthorized: settings.verify },
  };
  if (log) options.log = log;
  return options;
}

export class MeterConnection {
  readonly client: EgaugeClient;
  readonly directory: DeviceDirectory;
  readonly target: MeterTarget;
  private readonly users = new Set<MeterUser>();
  private lastError: EgaugeError | undefined;

  constructor(options: ClientOptions, tlsId = '') {
    this.client = new EgaugeClient(options);
    this.target = {
      url: this.client.url,
      username: options.username,
      tls: tlsId,
      verify: options.tls?.rejectUnauthorized !== false,
    };
    this.directory = new DeviceDirectory({
      list: (signal) => this.client.devices(undefined, signal ? { signal } : {}),
    });
    this.client.on('state', (state: ClientState, error?: EgaugeError) => {
      this.lastError = error;
      for (const user of this.users) user.meterState(state, error);
    });
  }

  get url(): string {
    return this.client.url;
  }

  register(user: MeterUser): void {
    this.users.add(user);
    user.meterState(this.client.state, this.lastError);
  }

  deregister(user: MeterUser): void {
    this.users.delete(user);
  }

  /** Aborts what is in flight and logs out; resolves within CLOSE_LIMIT_MS whatever the meter does. */
  async close(): Promise<void> {
    this.users.clear();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_LIMIT_MS);
    });
    try {
      await Promise.race([this.client.close().catch(() => undefined), limit]);
    } finally {
      clearTimeout(timer);
    }
  }
}
