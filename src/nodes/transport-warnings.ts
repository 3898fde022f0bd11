/**
 * What a meter's settings expose on the network: said once when the meter node is deployed, and
 * shown by the meter dialog while its fields are typed (the same rule, from this file).
 */
import { shared, type Texts } from './texts';

export type TransportRisk = 'plainHttp' | 'verifyOff';

/** The risk of reaching a meter at a normalised URL (`http(s)://host[:port]/api`), if any. */
export function transportRisk(url: string, verify: boolean): TransportRisk | null {
  if (url.startsWith('http://')) return 'plainHttp';
  return verify ? null : 'verifyOff';
}

const WARNINGS: Record<TransportRisk, string> = {
  plainHttp: shared('log.plainHttp'),
  verifyOff: shared('log.verifyOff'),
};

export function transportWarnings(target: { url: string; verify: boolean }, texts: Texts): string[] {
  const risk = transportRisk(target.url, target.verify);
  return risk === null ? [] : [texts(WARNINGS[risk], { url: target.url })];
}
