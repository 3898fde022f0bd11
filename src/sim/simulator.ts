/** The meter simulator: wires the meter's state to the HTTP server and exposes the test knobs. */
import { CallCenter } from './call-center';
import type { SimContext } from './context';
import { defaultFaults } from './faults';
import { createRequestListener, DelayedReplies } from './http-handler';
import { SimServer } from './http-server';
import { NonceStore } from './nonces';
import { resolveOptions, type ResolvedOptions } from './options';
import { Prm3Module } from './prm3-module';
import { RegisterBank } from './registers';
import { RequestLog } from './request-log';
import { TokenStore } from './tokens';
import type {
  MeterSimulator,
  SimFaults,
  SimLogEntry,
  SimPrm3,
  SimPrm3Options,
  SimulatorOptions,
  SimUser,
} from './types';
import { UserDirectory } from './users';

/** How a listening address appears in a URL: wildcard addresses become loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

class Simulator implements MeterSimulator {
  readonly faults: SimFaults = defaultFaults();
  private readonly options: ResolvedOptions;
  private readonly modules: Prm3Module[] = [];
  private readonly requestLog = new RequestLog();
  private readonly users: UserDirectory;
  private readonly nonces: NonceStore;
  private readonly tokens: TokenStore;
  private readonly calls: CallCenter;
  private readonly registers: RegisterBank;
  private readonly delayed = new DelayedReplies();
  private readonly afterNextListing: (() => void)[] = [];
  private readonly server: SimServer;
  private closed = false;

  constructor(options: SimulatorOptions) {
    this.options = resolveOptions(options);
    const { clock } = this.options;
    this.users = new UserDirectory(this.options.users);
    this.nonces = new NonceStore(clock, () => this.options.nonceLifetimeS * 1000);
    this.tokens = new TokenStore(clock, () => this.options.tokenLifetimeS);
    this.calls = new CallCenter(this.options.deviceLatencyMs);
    this.registers = new RegisterBank(this.options.baseLoadW, this.options.baseLoadSwing, clock);
    for (const prm3 of this.options.prm3s) this.addPrm3(prm3);
    const context: SimContext = {
      realm: this.options.realm,
      clock,
      users: this.users,
      nonces: this.nonces,
      tokens: this.tokens,
      modules: this.modules,
      afterNextListing: this.afterNextListing,
      calls: this.calls,
      registers: this.registers,
      faults: this.faults,
      log: this.requestLog,
    };
    this.server = new SimServer(
      createRequestListener(context, this.options.tls !== undefined, this.delayed),
      this.options.tls,
    );
  }

  async start(): Promise<void> {
    await this.server.listen(this.options.host, this.options.port);
  }

  get port(): number {
    return this.server.port;
  }

  get url(): string {
    return `${this.options.tls === undefined ? 'http' : 'https'}://${urlHost(this.options.host)}:${this.port}`;
  }

  get log(): readonly SimLogEntry[] {
    return this.requestLog.entries;
  }

  clearLog(): void {
    this.requestLog.clear();
  }

  ctrlCalls(method?: string): SimLogEntry[] {
    return this.requestLog.ctrlCalls(method);
  }

  logins(): number {
    return this.requestLog.logins;
  }

  failedLogins(): number {
    return this.requestLog.failedLogins;
  }

  device(snOrPort: string): SimPrm3 {
    return this.module(snOrPort);
  }

  addPrm3(options: SimPrm3Options): SimPrm3 {
    if (this.modules.some((module) => module.sn === options.sn))
      throw new RangeError(`a PRM3 with serial number ${options.sn} already exists`);
    if (options.port !== undefined && this.modules.some((module) => module.port === options.port)) {
      throw new RangeError(`port ${options.port} already has a PRM3`);
    }
    const module = new Prm3Module(
      { ...options, port: options.port ?? this.freePort() },
      { minDurationS: this.options.minDurationS, clock: this.options.clock },
    );
    this.modules.push(module);
    this.registers.addModule(module);
    return module;
  }

  unplug(sn: string): void {
    this.module(sn).setPlugged(false);
  }

  replug(sn: string): void {
    this.module(sn).setPlugged(true);
  }

  movePrm3(sn: string, port: string): void {
    const module = this.module(sn);
    const target = usbPort(port);
    const occupant = this.modules.find((other) => other.port === target);
    if (occupant !== undefined && occupant !== module)
      throw new RangeError(`port ${target} already has PRM3 ${occupant.sn}`);
    module.moveTo(target);
  }

  swapPorts(portA: string, portB: string): void {
    const a = usbPort(portA);
    const b = usbPort(portB);
    const onA = this.modules.find((module) => module.port === a);
    const onB = this.modules.find((module) => module.port === b);
    if (onA === undefined && onB === undefined) throw new RangeError(`neither ${a} nor ${b} has a PRM3`);
    onA?.moveTo(b);
    onB?.moveTo(a);
  }

  afterNextDeviceList(action: () => void): void {
    this.afterNextListing.push(action);
  }

  setRegister(name: string, rate: number): void {
    this.registers.pin(name, rate);
  }

  setBaseLoad(watts: number): void {
    this.registers.setBase(watts);
  }

  setUser(user: SimUser): void {
    this.users.set(user);
  }

  revokeTokens(): void {
    this.tokens.revokeAll();
  }

  dropConnections(): void {
    this.server.dropConnections();
  }

  reboot(): Promise<void> {
    this.tokens.revokeAll();
    this.nonces.clear();
    this.server.dropConnections();
    return Promise.resolve();
  }

  async setOffline(offline: boolean): Promise<void> {
    if (this.closed) throw new Error('the simulator is closed');
    if (offline) await this.server.stop();
    else await this.server.listen(this.options.host, this.options.port);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.calls.stop();
    this.delayed.clear();
    await this.server.stop();
  }

  private module(snOrPort: string): Prm3Module {
    const found =
      this.modules.find((module) => module.sn === snOrPort) ?? this.modules.find((module) => module.port === snOrPort);
    if (found === undefined) throw new RangeError(`no PRM3 with serial number or port "${snOrPort}"`);
    return found;
  }

  /** `USB<n>` in order of creation, skipping ports already taken. */
  private freePort(): string {
    let n = this.modules.length + 1;
    while (this.modules.some((module) => module.port === `USB${n}`)) n += 1;
    return `USB${n}`;
  }
}

function usbPort(port: string): string {
  if (!/^USB\d+$/i.test(port)) throw new RangeError(`a USB port looks like "USB1"; got "${port}"`);
  return port.toUpperCase();
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<MeterSimulator> {
  const simulator = new Simulator(options);
  await simulator.start();
  return simulator;
}
