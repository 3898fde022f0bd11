/** How nodes and admin routes find a deployed `egauge-meter` config node and its TLS material. */
import type { MeterConnection, TlsMaterial } from './meter-connection';
import type { Node, NodeAPI } from './red';

export const METER_TYPE = 'egauge-meter';

export interface MeterConfigNode extends Node<{ username: unknown; password: unknown }> {
  connection: MeterConnection | null;
}

function isMeterConfigNode(value: unknown): value is MeterConfigNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === METER_TYPE &&
    'connection' in value
  );
}

export function findMeterNode(RED: NodeAPI, id: unknown): MeterConfigNode | null {
  if (typeof id !== 'string' || id === '') return null;
  const node: unknown = RED.nodes.getNode(id);
  return isMeterConfigNode(node) ? node : null;
}

/** The connection of a deployed meter, or why there is none. */
export function findMeter(RED: NodeAPI, id: unknown): MeterConnection | 'missing' | 'invalid' {
  const node = findMeterNode(RED, id);
  if (!node) return 'missing';
  return node.connection ?? 'invalid';
}

interface TlsConfigNode {
  addTLSOptions(options: Record<string, unknown>): Record<string, unknown>;
}

function isTlsConfigNode(value: unknown): value is TlsConfigNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { addTLSOptions?: unknown }).addTLSOptions === 'function'
  );
}

function pem(value: unknown): string | Buffer | undefined {
  return typeof value === 'string' || Buffer.isBuffer(value) ? value : undefined;
}

/** CA and client certificate from a core `tls-config` node; verification is the meter node's own choice. */
export function tlsMaterial(RED: NodeAPI, tlsId: unknown): TlsMaterial {
  if (typeof tlsId !== 'string' || tlsId === '') return {};
  const node: unknown = RED.nodes.getNode(tlsId);
  if (!isTlsConfigNode(node)) return {};
  const options = node.addTLSOptions({});
  const material: TlsMaterial = {};
  const ca = pem(options['ca']);
  const cert = pem(options['cert']);
  const key = pem(options['key']);
  if (ca !== undefined) material.ca = ca;
  if (cert !== undefined) material.cert = cert;
  if (key !== undefined) material.key = key;
  return material;
}
