/** `prm3 discover`: list the control devices the meter sees. */
import { attachToMeter, readSettingsOrReport } from '../node-lifecycle';
import { compareScans, describe, filterDevices, parseAttrs, sameScan, type DiscoveredDevice } from '../discovery';
import { readSettings } from '../schema';
import { discoverSettings } from './settings';
import type { DeviceAttrs } from '../../webapi';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus } from '../red';

export = function register(RED: NodeAPI): void {
  function Prm3DiscoverNode(this: Node, def: NodeDef & Record<string, unknown>): void {
    RED.nodes.createNode(this, def);
    const settings = readSettingsOrReport(RED, this, () => readSettings(discoverSettings, def));
    if (!settings) return;
    const lifecycle = attachToMeter(RED, this, def['meter']);
    if (!lifecycle) return;
    const { client } = lifecycle.meter;
    let previous: DiscoveredDevice[] | null = null;

    const scan = async (
      attrs: DeviceAttrs | undefined,
      signal: AbortSignal,
    ): Promise<{ msg: NodeMessage; status: NodeStatus; changed: boolean }> => {
      const listed = await client.devices(attrs, { signal });
      const devices = attrs ? listed : filterDevices(listed, settings.filter);
      const current = describe(devices, settings.methods ? await client.interfaces({ signal }) : null);
      const changed = previous === null || !sameScan(previous, current);
      const { added, removed } = compareScans(previous ?? [], current);
      previous = current;
      const prm3Only = settings.filter === 'prm3' && !attrs;
      const one = current.length === 1;
      const key = prm3Only
        ? one
          ? 'prm3-discover.runtime.status.onePrm3'
          : 'prm3-discover.runtime.status.prm3s'
        : one
          ? 'prm3-discover.runtime.status.oneDevice'
          : 'prm3-discover.runtime.status.devices';
      const text = lifecycle.texts(key, { count: current.length });
      return {
        msg: { payload: current, added, removed, meter: client.url },
        status: { fill: 'green', shape: 'dot', text },
        changed,
      };
    };

    this.on('input', (msg, send, done) => {
      void lifecycle.handleInput(msg, send, done, () => {
        const attrs = msg['attrs'] === undefined ? undefined : parseAttrs(msg['attrs']);
        return {
          label: lifecycle.texts('prm3-discover.runtime.status.scanning'),
          execute: async (signal) => {
            const { msg: found, status } = await scan(attrs, signal);
            return { msg: Object.assign(msg, found), status };
          },
        };
      });
    });

    const scheduled = async (signal: AbortSignal, emitAlways: boolean): Promise<void> => {
      const { msg, status, changed } = await scan(undefined, signal);
      if (lifecycle.isClosed) return;
      lifecycle.view.result(status);
      if (changed || emitAlways) this.send(msg);
    };
    if (settings.onDeploy) lifecycle.once(0, (signal) => scheduled(signal, true));
    const intervalMs = settings.interval;
    if (intervalMs > 0) lifecycle.every(intervalMs, intervalMs, (signal) => scheduled(signal, false));
  }

  RED.nodes.registerType('prm3 discover', Prm3DiscoverNode);
};
