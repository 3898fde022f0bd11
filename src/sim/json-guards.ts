/** Type guards for JSON that arrives from clients: nothing from a request is trusted unchecked. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** An integer in [min, max], as a JSON number (numeric strings are not accepted). */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Parses JSON text, or returns undefined when it is not JSON. */
export function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** Array.isArray without the `any[]` it narrows to. */
export function isUnknownArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}
