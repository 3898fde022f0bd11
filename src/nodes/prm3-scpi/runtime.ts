/** `prm3 scpi`: send SCPI lines to a PRM3 and emit its replies. */
import { executeScpi, type ScpiResult } from '../../prm3/operations';
import { onSelectedDevice } from '../../prm3/pinned-device';
import { parseScpiInput } from '../../prm3/scpi';
import { CallError } from '../../webapi';
import { attachToMeter, readSettingsOrReport } from '../node-lifecycle';
import { DeviceChoice } from '../device-choice';
import { readSettings } from '../schema';
import { scpiSettings } from './settings';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red';

const STATUS_TEXT_LIMIT = 32;

function invalidCommand(result: ScpiResult, sn: string, meter: string): CallError {
  return new CallError(`PRM3 ${sn} answered INVALID COMMAND to "${result.command}"`, result.reply, {
    meter,
    device: sn,
    operation: 'scpi.exec',
  });
}

export = function register(RED: NodeAPI): void {
  function Prm3ScpiNode(this: Node, def: NodeDef & Record<string, unknown>): void {
    RED.nodes.createNode(this, def);
    const settings = readSettingsOrReport(RED, this, () => readSettings(scpiSettings, def));
    if (!settings) return;
    const lifecycle = attachToMeter(RED, this, def['meter']);
    if (!lifecycle) return;
    const choice = new DeviceChoice(settings.device, (text) => this.warn(text), lifecycle.texts);

    this.on('input', (msg, send, done) => {
      void lifecycle.handleInput(msg, send, done, () => {
        const selector = choice.select(msg['device']);
        const single = settings.command !== '' || !Array.isArray(msg.payload);
        const lines = settings.command !== '' ? [settings.command] : parseScpiInput(msg.payload, 'msg.payload');
        return {
          label: lifecycle.texts('prm3-scpi.runtime.status.sending'),
          execute: async (signal) => {
            const { client, directory } = lifecycle.meter;
            const { sn, results } = await onSelectedDevice(directory, selector, signal, async (found, path) => ({
              sn: found,
              results: await executeScpi(client, found, lines, path === undefined ? { signal } : { signal, path }),
            }));
            const failed = results.find((r) => r.invalid);
            if (failed) throw invalidCommand(failed, sn, lifecycle.meter.url);
            const out = msg as NodeMessage;
            const exchanges = results.map((r) => ({ command: r.command, raw: r.raw }));
            out.payload = single ? (results[0]?.reply ?? '') : results.map((r) => r.reply);
            out['scpi'] = single ? exchanges[0] : exchanges;
            out['prm3'] = { sn };
            const last = results[results.length - 1]?.reply ?? '';
            return {
              msg: out,
              status: {
                fill: 'green',
                shape: 'dot',
                text: last.slice(0, STATUS_TEXT_LIMIT) || lifecycle.texts('prm3-scpi.runtime.status.emptyReply'),
              },
            };
          },
        };
      });
    });
  }

  RED.nodes.registerType('prm3 scpi', Prm3ScpiNode);
};
