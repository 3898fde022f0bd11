/**
 * What a user reads at runtime (status texts, warnings, the glue's own errors) is looked up with
 * RED._ in the node sets' catalogues (src/nodes/<set>/locales/<language>/messages.json), so
 * another language is one more locales folder per node.
 */
import type { NodeAPI } from './red';

export type TextValues = Record<string, string | number>;

/** A catalogue look-up: a key of the node's own catalogue, or a `shared(...)` key. */
export type Texts = (key: string, values?: TextValues) => string;

/** The meter config node's catalogue holds the texts every node shows (connection, kinds of error). */
const SHARED_PREFIX = '@relayworks/node-red-egauge-prm3/egauge-meter:egauge-meter.runtime.';

/** The full key of a shared text, e.g. `shared('status.unreachable')`. */
export function shared(key: string): string {
  return SHARED_PREFIX + key;
}

/** How many worded texts one node keeps: a status line with a changing figure takes one per value shown. */
const REMEMBERED_TEXTS = 64;

/**
 * RED._ per status update was half of a load shedder's work per reading, so each node keeps the
 * texts it has worded. The runtime's language is fixed while it runs, so a kept text stays right.
 */
export function textsOf(RED: NodeAPI): Texts {
  const worded = new Map<string, string>();
  return (key, values) => {
    const id = values === undefined ? key : `${key}\u0000${JSON.stringify(values)}`;
    let text = worded.get(id);
    if (text === undefined) {
      text = RED._(key, values);
      if (worded.size >= REMEMBERED_TEXTS) worded.clear();
      worded.set(id, text);
    }
    return text;
  };
}
