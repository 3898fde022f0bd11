/**
 * Seeded synthetic household profiles, one value a second: the unswitched part of the house
 * (base load, fridge, kettle, oven, solar, noise) and, for each switchable load, the power it
 * draws whenever its relays are closed. The same seed always gives the same profile.
 */

/** Small, fast, seedable PRNG (mulberry32); quality is ample for load shapes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SwitchedKind = 'water-heater' | 'ev-charger' | 'heat-pump' | 'pool-pump';

export const NOMINAL_W: Record<SwitchedKind, number> = {
  'water-heater': 3000,
  'ev-charger': 11000,
  'heat-pump': 2500,
  'pool-pump': 1100,
};

export interface SwitchedDemand {
  kind: SwitchedKind;
  nominalW: number;
  /** W drawn at each second while the relays are closed. */
  demandW: Float64Array;
}

export interface HouseholdProfile {
  seed: number;
  /** Epoch ms of second 0; on a whole hour so demand intervals line up with the profile. */
  startMs: number;
  seconds: number;
  /** Everything the shedder cannot switch; negative when solar exports. */
  unswitchedW: Float64Array;
  switched: SwitchedDemand[];
}

export interface ProfileOptions {
  seed: number;
  seconds: number;
  /** Hour of the day (UTC) the profile starts at. */
  startHour: number;
  kinds: SwitchedKind[];
  /** Switched loads draw their nominal power whenever closed (no idle spells). */
  steady?: boolean;
  solarPeakW?: number;
}

const DAY0 = Date.UTC(2026, 0, 5);

/** Adds `w` over [from, from+len) seconds, clipped to the profile. */
function addBlock(into: Float64Array, from: number, len: number, w: number): void {
  for (let t = Math.max(0, from); t < Math.min(into.length, from + len); t++) into[t] = (into[t] ?? 0) + w;
}

/** On/off cycling: `onS` on, `offS` off, from a random phase. */
function cycle(
  into: Float64Array,
  rnd: () => number,
  onS: number,
  offS: number,
  w: number,
  from = 0,
  to = into.length,
): void {
  let t = from - Math.floor(rnd() * (onS + offS));
  while (t < to) {
    addBlock(into, Math.max(t, from), Math.min(t + onS, to) - Math.max(t, from), w);
    t += onS + offS;
  }
}

/**
 * Unswitched part: a 250–450 W base, a fridge cycling 120 W, kettles (2 kW, 2–4 min) mostly
 * at meal times, an oven (2.5 kW, thermostat-cycled for 30–60 min) in the evening, solar as a
 * half sine from 07:00 to 19:00 with passing clouds, and ±40 W noise.
 */
function unswitched(rnd: () => number, seconds: number, startHour: number, solarPeakW: number): Float64Array {
  const w = new Float64Array(seconds);
  const base = 250 + rnd() * 200;
  w.fill(base);
  cycle(w, rnd, 900, 1500, 120);
  const hourAt = (t: number): number => (startHour + t / 3600) % 24;
  for (let t = 0; t < seconds; t += 60) {
    const h = hourAt(t);
    const meal = (h >= 6.5 && h < 8.5) || (h >= 12 && h < 13) || (h >= 17.5 && h < 20);
    if (rnd() < (meal ? 0.03 : 0.004)) addBlock(w, t + Math.floor(rnd() * 60), 120 + Math.floor(rnd() * 120), 2000);
  }
  const ovenAt = Math.round(((18 - startHour + 24) % 24) * 3600 + rnd() * 3600);
  if (ovenAt < seconds)
    cycle(w, rnd, 240, 120, 2500, ovenAt, Math.min(seconds, ovenAt + 1800 + Math.floor(rnd() * 1800)));
  let cloud = 1;
  for (let t = 0; t < seconds; t++) {
    const h = hourAt(t);
    if (t % 30 === 0) cloud = Math.min(1, Math.max(0.2, cloud + (rnd() - 0.5) * 0.3));
    if (h > 7 && h < 19) w[t] = (w[t] ?? 0) - solarPeakW * Math.sin(((h - 7) / 12) * Math.PI) * cloud;
    w[t] = (w[t] ?? 0) + (rnd() - 0.5) * 80;
  }
  return w;
}

/** When a switched load wants power, at its nominal draw; steady loads always do. */
function switchedDemand(
  kind: SwitchedKind,
  rnd: () => number,
  seconds: number,
  startHour: number,
  steady: boolean,
): SwitchedDemand {
  const nominalW = NOMINAL_W[kind];
  const demandW = new Float64Array(seconds);
  if (steady) demandW.fill(nominalW);
  else if (kind === 'water-heater')
    cycle(demandW, rnd, 1200 + Math.floor(rnd() * 1200), 2400 + Math.floor(rnd() * 3600), nominalW);
  else if (kind === 'heat-pump')
    cycle(demandW, rnd, 600 + Math.floor(rnd() * 900), 300 + Math.floor(rnd() * 900), nominalW);
  else if (kind === 'pool-pump') cycle(demandW, rnd, 4 * 3600, 2 * 3600, nominalW);
  else {
    // One evening session, plugged in between 17:00 and 20:00 for 2 to 5 hours.
    const from = Math.round((((17 - startHour + 24) % 24) + rnd() * 3) * 3600);
    addBlock(demandW, from, Math.round((2 + rnd() * 3) * 3600), nominalW);
  }
  return { kind, nominalW, demandW };
}

export function generateProfile(options: ProfileOptions): HouseholdProfile {
  const rnd = prng(options.seed);
  const startHour = ((Math.floor(options.startHour) % 24) + 24) % 24;
  return {
    seed: options.seed,
    startMs: DAY0 + startHour * 3_600_000,
    seconds: options.seconds,
    unswitchedW: unswitched(rnd, options.seconds, startHour, options.solarPeakW ?? 3000),
    switched: options.kinds.map((kind) =>
      switchedDemand(kind, rnd, options.seconds, startHour, options.steady ?? false),
    ),
  };
}
