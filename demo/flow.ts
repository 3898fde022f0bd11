/** The demo flow: the relay panel, load shedding, SCPI console and discovery examples, sharing one meter node aimed at the simulator. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const DEMO_EXAMPLES = ['load-shedding', 'scpi-console', 'discovery'];
/** The relay panel is the widget package's own example. */
export const DEMO_PANEL = path.resolve(__dirname, '..', '..', 'dashboard', 'examples', 'relay-panel.json');
const DEMO_METER_ID = 'demo0meter0node1';

type FlowNode = Record<string, unknown> & { id: string; type: string };

function isFlowNode(value: unknown): value is FlowNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'id') === 'string' &&
    typeof Reflect.get(value, 'type') === 'string'
  );
}

export function readExample(examplesDir: string, name: string): FlowNode[] {
  return readFlow(path.join(examplesDir, `${name}.json`));
}

export function readFlow(file: string): FlowNode[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isFlowNode)) throw new Error(`${file} is not a flow`);
  return parsed;
}

/** What an example's own setup comment is called; the demo has nothing left to set up. */
export const SETUP_COMMENT = 'Before you deploy';

/**
 * Each example's own meter node is replaced by one that carries the simulator's URL and login,
 * and the comment saying how to set that up is left out.
 */
export function demoFlow(
  examplesDir: string,
  meterUrl: string,
  login: { username: string; password: string },
): FlowNode[] {
  const flow: FlowNode[] = [];
  for (const nodes of [readFlow(DEMO_PANEL), ...DEMO_EXAMPLES.map((name) => readExample(examplesDir, name))]) {
    const meters = new Set(nodes.filter((n) => n.type === 'egauge-meter').map((n) => n.id));
    for (const n of nodes) {
      if (meters.has(n.id) || (n.type === 'comment' && String(n['name']).startsWith(SETUP_COMMENT))) continue;
      flow.push(typeof n['meter'] === 'string' && meters.has(n['meter']) ? { ...n, meter: DEMO_METER_ID } : n);
    }
  }
  flow.push(...shedderPanel(flow));
  flow.push({
    id: DEMO_METER_ID,
    type: 'egauge-meter',
    name: 'Simulator',
    url: meterUrl,
    tls: '',
    verify: true,
    timeout: '10',
    callTimeout: '30',
    credentials: { username: login.username, password: login.password },
  });
  return flow;
}

const SHED_PANEL_ID = 'demo0shed0panel1';
const SHED_GROUP_ID = 'demo0shed0group1';

/**
 * With a load shedder in the demo, a second widget on the relay page shows its loads: fed by its
 * state output (the second), its buttons send the shedder's overrides.
 */
function shedderPanel(flow: FlowNode[]): FlowNode[] {
  const shedder = flow.find((n) => n.type === 'load shedder');
  const page = flow.find((n) => n.type === 'ui-page' && n['path'] === '/relays');
  const wires: unknown = shedder?.['wires'];
  if (shedder === undefined || page === undefined || !Array.isArray(wires) || !Array.isArray(wires[1])) return [];
  const outputs = wires as unknown[];
  shedder['wires'] = [outputs[0], [...(outputs[1] as unknown[]), SHED_PANEL_ID], ...outputs.slice(2)];
  return [
    {
      id: SHED_GROUP_ID,
      type: 'ui-group',
      name: 'Load shedding',
      page: page.id,
      width: '6',
      height: '1',
      order: 2,
      showTitle: true,
      className: '',
      visible: true,
      disabled: false,
      groupType: 'default',
    },
    {
      id: SHED_PANEL_ID,
      type: 'ui-prm3-loads',
      z: shedder['z'],
      group: SHED_GROUP_ID,
      order: 1,
      width: 0,
      height: 0,
      name: 'Load shedding',
      relayNames: '',
      staleS: '30',
      chartMinutes: '10',
      x: 760,
      y: 300,
      wires: [[shedder.id]],
    },
  ];
}
