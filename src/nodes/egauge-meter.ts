/** `egauge-meter` config node: one shared, logged-in client per meter. */
import { toEgaugeError } from '../webapi/errors';
import { clientOptions, MeterConnection } from './meter-connection';
import { METER_TYPE, tlsMaterial, type MeterConfigNode } from './egauge-meter-lookup';
import { registerMeterRoutes } from './meter-routes';
import { readMeterSettings } from './settings';
import type { NodeAPI, NodeDef } from './red';

type MeterDef = NodeDef & Record<string, unknown>;

export = function register(RED: NodeAPI): void {
  function EgaugeMeterNode(this: MeterConfigNode, def: MeterDef): void {
    RED.nodes.createNode(this, def);
    this.connection = null;
    try {
      const settings = readMeterSettings(def, this.credentials ?? {});
      const log = (level: 'debug' | 'warn', text: string): void => (level === 'warn' ? this.warn(text) : this.debug(text));
      this.connection = new MeterConnection(clientOptions(settings, tlsMaterial(RED, def['tls']), log));
    } catch (thrown) {
      this.error(`invalid meter settings: ${toEgaugeError(thrown).message}`);
    }
    this.on('close', (_removed: boolean, done: () => void) => {
      const connection = this.connection;
      this.connection = null;
      if (!connection) return done();
      connection.close().then(done, done);
    });
  }

  RED.nodes.registerType(METER_TYPE, EgaugeMeterNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
  registerMeterRoutes(RED);
};
