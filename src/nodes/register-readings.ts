/** A register snapshot → the values a flow asked for, with units, or a clear error for unknown names. */
import { InputError } from '../errors';
import type { RegisterSnapshot } from '../webapi';
import { registerUnit } from './register-units';

export interface Reading {
  name: string;
  type: string;
  unit: string;
  value: number | null;
}

/** Picks `names` (all registers when empty) from a snapshot, in the order asked. */
export function pickReadings(snapshot: RegisterSnapshot, names: readonly string[]): Reading[] {
  const byName = new Map(snapshot.registers.map((r) => [r.name, r]));
  const chosen = names.length === 0 ? snapshot.registers : names.map((name) => byName.get(name));
  const missing = names.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    const known = snapshot.registers.map((r) => r.name).join(', ');
    throw new InputError(
      'registers',
      `register${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not found on the meter (it has: ${known})`,
    );
  }
  return chosen.flatMap((r) =>
    r ? [{ name: r.name, type: r.type, unit: registerUnit(r.type), value: r.rate ?? null }] : [],
  );
}

/** Short status text: `Grid 1.2 kW`. */
export function formatReading(reading: Reading): string {
  if (reading.value === null) return `${reading.name} —`;
  const v = reading.value;
  if (reading.unit !== '' && Math.abs(v) >= 1000) return `${reading.name} ${(v / 1000).toFixed(1)} k${reading.unit}`;
  const digits = Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : 1;
  return `${reading.name} ${v.toFixed(digits)}${reading.unit === '' ? '' : ` ${reading.unit}`}`;
}
