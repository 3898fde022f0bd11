/** What the load shedder sends: one event message per notice, one state message per change, and its status. */
import type { ShedNotice, ShedView } from '../../shed';
import type { NodeMessage, NodeStatus } from '../red';

/** Output 1: `msg.topic` is the reason code, `msg.payload` the event. */
export function eventMessage(notice: ShedNotice): NodeMessage {
  return { topic: notice.code, payload: { ...notice } };
}

/** Output 2: `msg.topic` "state", `msg.payload` the whole view, for dashboards. */
export function stateMessage(view: ShedView): NodeMessage {
  return { topic: 'state', payload: view };
}

/** Green while all is well, yellow while something is shed, red in fail-safe or alarm, grey when disabled. */
export function shedStatus(view: ShedView): NodeStatus {
  const text = view.status;
  if (!view.enabled) return { fill: 'grey', shape: 'ring', text };
  if (view.failsafe || view.alarm !== null) return { fill: 'red', shape: 'dot', text };
  if (view.loads.some((l) => l.shed && l.actual === 'off')) return { fill: 'yellow', shape: 'dot', text };
  return { fill: 'green', shape: 'dot', text };
}
