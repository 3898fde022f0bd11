/**
 * The `ui-prm3-loads` node: keeps the panel's model server-side in the dashboard's data store
 * (so a page refresh and a second tab show the same), and turns button presses into commands.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import {
  commandFor,
  emptyModel,
  fromMaskOutput,
  fromShedView,
  parseOverrideRequest,
  relayLabels,
  withPending,
  withPower,
  type PanelModel,
} from './model';
import { OVERRIDE_EVENT, type LiveMessage, type StoredMessage } from './protocol';
import { positiveSetting } from './settings';

interface WidgetConfig extends NodeDef {
  group: string;
  relayNames?: unknown;
  staleS?: unknown;
  chartMinutes?: unknown;
}

/** The parts of Dashboard 2.0's runtime API this node uses. */
interface DashboardBase {
  stores: { data: { save(base: DashboardBase, node: Node, msg: object): void } };
  emit(event: string, msg: object, node: Node): void;
}
interface DashboardGroup {
  getBase(): DashboardBase;
  register(node: Node, config: WidgetConfig, events: object): void;
}

function isGroup(value: unknown): value is DashboardGroup {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'register') === 'function' &&
    typeof Reflect.get(value, 'getBase') === 'function'
  );
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export = function register(RED: NodeAPI): void {
  function Prm3LoadsNode(this: Node, config: WidgetConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const group: unknown = RED.nodes.getNode(config.group);
    if (!isGroup(group)) {
      node.error('ui-prm3-loads: no dashboard group is set; choose one in the node’s Group setting');
      return;
    }
    const base = group.getBase();
    const staleS = positiveSetting(config.staleS, 30);
    const windowS = positiveSetting(config.chartMinutes, 10) * 60;
    const labels = relayLabels(config.relayNames);
    let model: PanelModel = emptyModel(Date.now());
    let staleTimer: NodeJS.Timeout | undefined;
    let closed = false;

    const live = (point: [number, number] | null): LiveMessage => {
      const { history: _history, ...rest } = model;
      return { topic: 'state', payload: rest, point };
    };
    const store = (): void => {
      const stored: StoredMessage = { topic: 'state', payload: model };
      base.stores.data.save(base, node, stored);
    };
    const publish = (): void => {
      if (closed) return;
      store();
      base.emit(`msg-input:${node.id}`, live(null), node);
    };
    const watch = (): void => {
      clearTimeout(staleTimer);
      staleTimer = setTimeout(() => {
        model = { ...model, stale: true, at: Date.now() };
        publish();
      }, staleS * 1000);
    };

    /** Input → the new model; what the dashboard then sends to every open page. */
    const beforeSend = (msg: NodeMessage): LiveMessage => {
      const now = Date.now();
      let reading = true;
      if (msg.topic === 'power' || (typeof msg.payload === 'number' && !('mask' in msg))) {
        model = withPower(model, msg.payload, now, windowS);
      } else if (msg.topic === 'state' || (isObj(msg.payload) && Array.isArray(msg.payload['loads']))) {
        model = fromShedView(msg.payload, model, now, windowS);
      } else {
        model = fromMaskOutput(msg as unknown as Record<string, unknown>, model, labels, now, staleS);
        reading = false;
      }
      watch();
      store();
      const last = model.history[model.history.length - 1];
      return live(reading && model.powerW !== null && last !== undefined ? last : null);
    };

    const onOverride = (_conn: unknown, id: unknown, value: unknown): void => {
      if (id !== node.id || closed) return;
      try {
        const request = parseOverrideRequest(value);
        const command = commandFor(model, request);
        if (command === null) {
          node.warn(`ui-prm3-loads: nothing to send for ${request.key} (${request.state})`);
          return;
        }
        const wanted = request.state === 'auto' ? null : request.state;
        model = withPending(model, request.key, wanted, Date.now());
        publish();
        node.send(command);
      } catch (error) {
        node.warn(`ui-prm3-loads: ${error instanceof Error ? error.message : String(error)}`);
      }
    };

    group.register(node, config, {
      beforeSend,
      // The model is stored by beforeSend; inputs are not passed on, only commands leave the node.
      onInput: () => undefined,
      onSocket: { [OVERRIDE_EVENT]: onOverride },
    });
    store();
    watch();
    node.on('close', () => {
      closed = true;
      clearTimeout(staleTimer);
    });
  }

  RED.nodes.registerType('ui-prm3-loads', Prm3LoadsNode);
};
