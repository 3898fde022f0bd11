/** What the load shedder sends: one event message per notice, one state message per change (repeated while nothing changes), and its status. */
import type { ShedNotice, ShedView } from '../../shed';
import type { NodeMessage, NodeStatus } from '../red';
import type { Texts } from '../texts';

/** Output 1: `msg.topic` is the reason code, `msg.payload` the event. */
export function eventMessage(notice: ShedNotice): NodeMessage {
  return { topic: notice.code, payload: { ...notice } };
}

/**
 * An unchanged state is sent again this often: a dashboard greys a panel that hears nothing, so
 * a healthy shedder under steady power must not fall silent.
 */
export const STATE_REPEAT_MS = 10_000;

/** Output 2: `msg.topic` "state", `msg.payload` the whole view and the status line, for dashboards. */
export function stateMessage(view: ShedView, status: string): NodeMessage {
  return { topic: 'state', payload: { ...view, status } };
}

const kW = (w: number): string => (w / 1000).toFixed(1);

/** "5.8 / 6.0 kW · shed: water heater": the view's status line, worded by the node's catalogue. */
function statusText(view: ShedView, failsafeAction: string, texts: Texts): string {
  const limit = kW(view.limitW);
  const measured = view.projection?.projectedW ?? view.powerW;
  const parts = [
    measured === null
      ? texts('load-shedder.runtime.status.noPower', { limit })
      : texts(view.projection === null ? 'load-shedder.runtime.status.power' : 'load-shedder.runtime.status.average', {
          power: kW(measured),
          limit,
        }),
  ];
  if (!view.enabled) parts.push(texts('load-shedder.runtime.status.disabled'));
  if (view.failsafe) parts.push(texts('load-shedder.runtime.status.failsafe', { action: failsafeAction }));
  const shed = view.loads.filter((l) => l.shed && l.actual === 'off').map((l) => l.name);
  if (shed.length > 0) parts.push(texts('load-shedder.runtime.status.shed', { loads: shed.join(', ') }));
  if (view.alarm !== null) parts.push(texts('load-shedder.runtime.status.alarm'));
  return parts.join(' · ');
}

/** Green while all is well, yellow while something is shed, red in fail-safe or alarm, grey when disabled. */
export function shedStatus(view: ShedView, failsafeAction: string, texts: Texts): NodeStatus & { text: string } {
  const text = statusText(view, failsafeAction, texts);
  if (!view.enabled) return { fill: 'grey', shape: 'ring', text };
  if (view.failsafe || view.alarm !== null) return { fill: 'red', shape: 'dot', text };
  if (view.loads.some((l) => l.shed && l.actual === 'off')) return { fill: 'yellow', shape: 'dot', text };
  return { fill: 'green', shape: 'dot', text };
}
