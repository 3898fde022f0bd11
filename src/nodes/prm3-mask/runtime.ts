/** `prm3 mask`: read, set, close, open or toggle a PRM3's relays and report their actual state. */
import { parseRelayCommand, type RelayCommand } from '../../prm3/command';
import { executeRelayCommand, type RelayResult } from '../../prm3/operations';
import type { DeviceSelector } from '../../prm3/device';
import { onSelectedDevice } from '../../prm3/pinned-device';
import { attachToMeter, readSettingsOrReport, type NodeLifecycle } from '../node-lifecycle';
import { DeviceChoice } from '../device-choice';
import { LatestWins } from '../latest-wins';
import { commandLabel, relayMessage, relayStatus, type ResultFlags } from '../mask-output';
import { SecondWriterWatch } from '../second-writer';
import { readMaskSettings, type MaskSettings } from './settings';
import type { Node, NodeAPI, NodeDef } from '../red';

class MaskRelays {
  /** The last state this node saw, from its own commands or polls: a poll reports changes made elsewhere. */
  private lastMask: number | null = null;
  private readonly latest = new LatestWins<RelayResult>();
  private readonly watch: SecondWriterWatch;

  constructor(
    private readonly lifecycle: NodeLifecycle,
    private readonly settings: MaskSettings,
    warn: (text: string) => void,
  ) {
    this.watch = new SecondWriterWatch(settings.relaySet, warn, lifecycle.texts);
  }

  /** The result, or null for a command a newer one replaced before it ran (latest-wins mode). */
  async command(
    selector: DeviceSelector,
    command: RelayCommand,
    signal: AbortSignal,
  ): Promise<{ result: RelayResult; flags: ResultFlags } | null> {
    const run = (): Promise<RelayResult> => this.runRelayCommand(selector, command, signal);
    try {
      if (this.settings.mode !== 'latest') return this.ran(command, await run(), {});
      const outcome = await this.latest.submit(run);
      if (outcome.kind === 'replaced') return null;
      return this.ran(command, outcome.result, outcome.replaced > 0 ? { replaced: outcome.replaced } : {});
    } catch (error) {
      this.watch.forget();
      throw error;
    }
  }

  private ran(
    command: RelayCommand,
    result: RelayResult,
    flags: ResultFlags,
  ): { result: RelayResult; flags: ResultFlags } {
    this.lastMask = result.actual;
    if (command.kind !== 'get') this.watch.own(result.actual);
    else if (this.watch.read(result.actual)) flags.changedElsewhere = true;
    return { result, flags };
  }

  async poll(node: Node, selector: DeviceSelector, signal: AbortSignal): Promise<void> {
    const result = await this.runRelayCommand(selector, { kind: 'get' }, signal);
    const changed = result.actual !== this.lastMask;
    this.lastMask = result.actual;
    const elsewhere = this.watch.read(result.actual);
    if (this.lifecycle.isClosed) return;
    this.lifecycle.view.result(relayStatus(result, this.lifecycle.texts));
    const flags: ResultFlags = elsewhere ? { poll: true, changedElsewhere: true } : { poll: true };
    if (changed || this.settings.pollOutput === 'always')
      node.send(relayMessage({}, result, this.settings.output, flags));
  }

  private async runRelayCommand(
    selector: DeviceSelector,
    command: RelayCommand,
    signal: AbortSignal,
  ): Promise<RelayResult> {
    const { client, directory } = this.lifecycle.meter;
    return onSelectedDevice(directory, selector, signal, (sn, path) =>
      executeRelayCommand(
        client,
        sn,
        command,
        this.settings.relaySet,
        this.settings.grouping,
        path === undefined ? { signal } : { signal, path },
      ),
    );
  }
}

export = function register(RED: NodeAPI): void {
  function Prm3MaskNode(this: Node, def: NodeDef & Record<string, unknown>): void {
    RED.nodes.createNode(this, def);
    const settings = readSettingsOrReport(RED, this, () => readMaskSettings(def));
    if (!settings) return;
    const lifecycle = attachToMeter(RED, this, def['meter']);
    if (!lifecycle) return;
    const choice = new DeviceChoice(settings.device, (text) => this.warn(text), lifecycle.texts);
    // A read that finishes after a redeploy says nothing: the node is gone.
    const relays = new MaskRelays(lifecycle, settings, (text) => {
      if (!lifecycle.isClosed) this.warn(text);
    });

    this.on('input', (msg, send, done) => {
      void lifecycle.handleInput(msg, send, done, () => {
        const selector = choice.select(msg['device']);
        const command = parseRelayCommand(msg.payload, msg.topic, settings.relaySet, settings.grouping);
        return {
          label: commandLabel(command),
          execute: async (signal) => {
            const ran = await relays.command(selector, command, signal);
            // A replaced command ends here: it never ran, so it has no state to report.
            if (ran === null) return { msg: null, status: null };
            return {
              msg: relayMessage(msg, ran.result, settings.output, ran.flags),
              status: relayStatus(ran.result, lifecycle.texts),
            };
          },
        };
      });
    });

    if (settings.pollMs > 0) {
      const selector = choice.fixed;
      if (selector) {
        lifecycle.every(settings.pollMs, 0, (signal) => relays.poll(this, selector, signal));
      } else {
        this.warn(lifecycle.texts('prm3-mask.runtime.log.pollNeedsDevice'));
      }
    }
  }

  RED.nodes.registerType('prm3 mask', Prm3MaskNode);
};
