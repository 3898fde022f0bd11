/**
 * The PRM3 as a replay sees it: relays per device, each remembering when it last moved. A
 * command that would move a relay inside the module's minimum open/close time is held and
 * nothing moves, as the module does.
 */
export class Prm3Model {
  readonly masks = new Map<string, number>();
  private readonly movedAt = new Map<string, number[]>();
  constructor(private readonly minSwitchS: number) {}

  mask(device: string): number {
    return this.masks.get(device) ?? 0;
  }

  /** What the PRM3 does with a command: moves the relays, or holds it inside its minimum time. */
  apply(device: string, relays: number, on: boolean, now: number): 'confirmed' | 'held' {
    const before = this.mask(device);
    const after = on ? before | relays : before & ~relays;
    const moved = before ^ after;
    const times = this.movedAt.get(device) ?? [-Infinity, -Infinity, -Infinity];
    for (let r = 0; r < 3; r++)
      if ((moved & (1 << r)) !== 0 && now - (times[r] ?? -Infinity) < this.minSwitchS * 1000) return 'held';
    this.force(device, after, now);
    return 'confirmed';
  }

  /** A change made elsewhere (the meter's UI, another flow). */
  force(device: string, mask: number, now: number): void {
    const before = this.mask(device);
    const times = this.movedAt.get(device) ?? [-Infinity, -Infinity, -Infinity];
    for (let r = 0; r < 3; r++) if (((before ^ mask) & (1 << r)) !== 0) times[r] = now;
    this.movedAt.set(device, times);
    this.masks.set(device, mask);
  }
}
