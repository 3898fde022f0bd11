/** eGauge register type codes → the unit of their rate, per the WebAPI's type-code table. */
const UNITS: Record<string, string> = {
  '#': '',
  '#3': '',
  '%': '%',
  $: '$/s',
  a: '°',
  aq: '',
  d: '',
  Ee: 'W/m²',
  F: 'Hz',
  h: '%',
  I: 'A',
  m: 'g',
  P: 'W',
  Pa: 'Pa',
  ppm: 'ppm',
  var: 'var',
  Q: 'g/s',
  Qe: 'Ah',
  Qv: 'm³/s',
  R: 'Ω',
  S: 'VA',
  T: '°C',
  THD: '%',
  V: 'V',
  v: 'm/s',
};

export function registerUnit(type: string): string {
  return UNITS[type] ?? '';
}
