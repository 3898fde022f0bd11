/**
 * What a meter's settings expose on the network: said once when the meter node is deployed, and
 * shown by the meter dialog while its fields are typed (the same rule, from this file).
 */

export const PLAIN_HTTP_WARNING =
  'is reached over plain HTTP: the login digest and the bearer token cross the network readable; ' +
  'anyone who sees the traffic can switch relays with the token until it expires and can try passwords against the digest offline. ' +
  'Use https:// where the meter offers it';

export const VERIFY_OFF_WARNING =
  'is reached without certificate verification, which is insecure: anyone on the network path can pose as the meter and collect the login digest and the token. ' +
  "Give the meter's CA certificate in a TLS configuration instead";

export type TransportRisk = 'plainHttp' | 'verifyOff';

/** The risk of reaching a meter at a normalised URL (`http(s)://host[:port]/api`), if any. */
export function transportRisk(url: string, verify: boolean): TransportRisk | null {
  if (url.startsWith('http://')) return 'plainHttp';
  return verify ? null : 'verifyOff';
}

export function transportWarnings(target: { url: string; verify: boolean }): string[] {
  const risk = transportRisk(target.url, target.verify);
  if (risk === 'plainHttp') return [`meter ${target.url} ${PLAIN_HTTP_WARNING}`];
  if (risk === 'verifyOff') return [`meter ${target.url} ${VERIFY_OFF_WARNING}`];
  return [];
}
