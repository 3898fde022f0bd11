/** `egauge-meter` config node: one shared, logged-in client per meter. */
import { toEgaugeError } from '../../errors';
import { clientOptions, MeterConnection } from '../meter-connection';
import { METER_TYPE, tlsMaterial, type MeterConfigNode } from '../egauge-meter-lookup';
import { registerMeterRoutes } from '../meter-routes';
import { meterSettings, readMeterSettings } from './settings';
import { transportWarnings } from '../transport-warnings';
import type { Node, NodeAPI, NodeDef } from '../red';
import { shared, textsOf } from '../texts';

type MeterDef = NodeDef & Record<string, unknown>;

export = function register(RED: NodeAPI): void {
  function EgaugeMeterNode(this: Node<{ username: unknown; password: unknown }>, def: MeterDef): void {
    RED.nodes.createNode(this, def);
    const texts = textsOf(RED);
    const node: MeterConfigNode = Object.assign(this, { connection: null });
    const credentials = node.credentials ?? {};
    // Node-RED keeps the credentials in its own store; the node's copy of the password goes, so
    // nothing that inspects or serialises the node finds it. The client holds it privately.
    node.credentials = { username: credentials.username, password: undefined };
    try {
      const settings = readMeterSettings(def, credentials);
      const log = (level: 'debug' | 'warn', text: string): void =>
        level === 'warn' ? node.warn(text) : node.debug(text);
      const tlsId = typeof def['tls'] === 'string' ? def['tls'] : '';
      const connection = new MeterConnection(clientOptions(settings, tlsMaterial(RED, tlsId), log), tlsId);
      node.connection = connection;
      for (const warning of transportWarnings(connection.target, texts)) node.warn(warning);
    } catch (thrown) {
      node.error(texts(shared('log.invalidMeterSettings'), { message: toEgaugeError(thrown).message }));
    }
    node.on('close', (_removed: boolean, done: () => void) => {
      const connection = node.connection;
      node.connection = null;
      if (!connection) return done();
      void connection.close().finally(done);
    });
  }

  const credentials = Object.fromEntries(
    Object.entries(meterSettings.credentials).map(([key, type]) => [key, { type }]),
  );
  RED.nodes.registerType(METER_TYPE, EgaugeMeterNode, { credentials });
  registerMeterRoutes(RED);
};
