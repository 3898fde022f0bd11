/** What a meter's settings expose on the network, said once when the meter node is deployed. */
import type { MeterTarget } from './meter-connection';

export const PLAIN_HTTP_WARNING =
  'is reached over plain HTTP: the login digest and the bearer token cross the network readable; ' +
  'anyone who sees the traffic can switch relays with the token until it expires and can try passwords against the digest offline. ' +
  'Use https:// where the meter offers it';

export const VERIFY_OFF_WARNING =
  'is reached without certificate verification, which is insecure: anyone on the network path can pose as the meter and collect the login digest and the token. ' +
  "Give the meter's CA certificate in a TLS configuration instead";

export function transportWarnings(target: MeterTarget): string[] {
  if (target.url.startsWith('http://')) return [`meter ${target.url} ${PLAIN_HTTP_WARNING}`];
  if (!target.verify) return [`meter ${target.url} ${VERIFY_OFF_WARNING}`];
  return [];
}
