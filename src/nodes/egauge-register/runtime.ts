/** `egauge register`: current rates of chosen meter registers (power for load shedding). */
import { attachToMeter, readSettingsOrReport } from '../node-lifecycle';
import { formatReading, pickReadings } from '../register-readings';
import { readRegisterSettings } from './settings';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from '../red';

export = function register(RED: NodeAPI): void {
  function EgaugeRegisterNode(this: Node, def: NodeDef & Record<string, unknown>): void {
    RED.nodes.createNode(this, def);
    const settings = readSettingsOrReport(RED, this, () => readRegisterSettings(def));
    if (!settings) return;
    const lifecycle = attachToMeter(RED, this, def['meter']);
    if (!lifecycle) return;
    const { client } = lifecycle.meter;

    const read = async (msg: NodeMessage, signal: AbortSignal): Promise<{ msg: NodeMessage; status: NodeStatus }> => {
      const snapshot = await client.registers({ signal, rates: true });
      const readings = pickReadings(snapshot, settings.registers);
      const single = settings.registers.length === 1 ? readings[0] : undefined;
      msg.payload = single ? single.value : Object.fromEntries(readings.map((r) => [r.name, r.value]));
      msg['ts'] = snapshot.ts;
      msg['registers'] = readings;
      const text = single
        ? formatReading(single)
        : lifecycle.texts('egauge-register.runtime.status.registers', { count: readings.length });
      return { msg, status: { fill: 'green', shape: 'dot', text } };
    };

    this.on('input', (msg, send, done) => {
      void lifecycle.handleInput(msg, send, done, () => ({
        label: lifecycle.texts('egauge-register.runtime.status.reading'),
        execute: (signal) => read(msg, signal),
      }));
    });

    const timed = async (signal: AbortSignal): Promise<void> => {
      const { msg, status } = await read({}, signal);
      if (lifecycle.isClosed) return;
      lifecycle.view.result(status);
      this.send(msg);
    };
    if (settings.onDeploy) lifecycle.once(0, timed);
    if (settings.intervalMs > 0) lifecycle.every(settings.intervalMs, settings.intervalMs, timed);
  }

  RED.nodes.registerType('egauge register', EgaugeRegisterNode);
};
