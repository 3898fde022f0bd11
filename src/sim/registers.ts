/**
 * The meter's registers for `GET /register`: Grid follows the base load, every closed relay's
 * load on a plugged PRM3 and the Solar register; `setRegister` pins any register's rate.
 */
import { RELAY_COUNT, type Prm3Module } from './prm3-module';

export interface RegisterInfo {
  name: string;
  type: string;
  idx: number;
  did: number;
}

interface RegisterDefinition extends RegisterInfo {
  /** The live rate when nothing is pinned. */
  read: () => number;
}

export const NOMINAL_VOLTAGE_V = 120;
export const NOMINAL_FREQUENCY_HZ = 60;

export class RegisterBank {
  private readonly definitions: RegisterDefinition[] = [];
  private readonly byName = new Map<string, RegisterDefinition>();
  private readonly byIdx = new Map<number, RegisterDefinition>();
  private readonly pinned = new Map<string, number>();
  private readonly loadRegisters: string[] = [];

  constructor(
    private baseLoadW: number,
    private readonly swing: { amplitudeW: number; periodS: number } | undefined = undefined,
    private readonly clock: () => number = Date.now,
  ) {
    this.define('Grid', 'P', () => this.gridW());
    this.define('Solar', 'P', () => 0);
    this.define('L1 Voltage', 'V', () => NOMINAL_VOLTAGE_V);
    this.define('Frequency', 'F', () => NOMINAL_FREQUENCY_HZ);
  }

  /** One `Load <port> R<n>` register per relay: the relay's load while it is closed. */
  addModule(device: Prm3Module): void {
    for (let relay = 0; relay < RELAY_COUNT; relay += 1) {
      const name = `Load ${device.port} R${relay + 1}`;
      // An unplugged module counts as switched off: its loads no longer show.
      this.define(name, 'P', () =>
        device.plugged && (device.mask & (1 << relay)) !== 0 ? (device.loadsW[relay] ?? 0) : 0,
      );
      this.loadRegisters.push(name);
    }
  }

  pin(name: string, rate: number): void {
    if (!this.byName.has(name))
      throw new RangeError(`no register named "${name}"; known: ${[...this.byName.keys()].join(', ')}`);
    if (!Number.isFinite(rate)) throw new RangeError(`register "${name}": rate must be a finite number`);
    this.pinned.set(name, rate);
  }

  setBase(watts: number): void {
    if (!Number.isFinite(watts)) throw new RangeError('base load must be a finite number of watts');
    this.baseLoadW = watts;
  }

  all(): readonly RegisterInfo[] {
    return this.definitions;
  }

  byIndex(idx: number): RegisterInfo | undefined {
    return this.byIdx.get(idx);
  }

  rate(name: string): number {
    const pinned = this.pinned.get(name);
    if (pinned !== undefined) return pinned;
    return this.byName.get(name)?.read() ?? 0;
  }

  private gridW(): number {
    let watts = this.baseW() + this.rate('Solar');
    for (const name of this.loadRegisters) watts += this.rate(name);
    return watts;
  }

  private baseW(): number {
    if (this.swing === undefined) return this.baseLoadW;
    const phase = (2 * Math.PI * this.clock()) / (this.swing.periodS * 1000);
    return Math.round(this.baseLoadW + this.swing.amplitudeW * Math.sin(phase));
  }

  private define(name: string, type: string, read: () => number): void {
    const idx = this.definitions.length;
    // did is the register's column in the meter's database; here it simply follows idx.
    const definition: RegisterDefinition = { name, type, idx, did: idx, read };
    this.definitions.push(definition);
    this.byName.set(name, definition);
    this.byIdx.set(idx, definition);
  }
}
