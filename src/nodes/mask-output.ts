/** A relay result → the `msg` fields and status the `prm3 mask` node emits. */
import { ALL_RELAYS, maskToRelays, relayNumbers } from '../prm3/mask';
import type { RelayCommand } from '../prm3/command';
import type { RelayResult } from '../prm3/operations';
import type { NodeMessage, NodeStatus } from './red';
import type { Texts } from './texts';

export type OutputForm = 'mask' | 'boolean';

export interface ResultFlags {
  poll?: boolean;
  /** Waiting commands this one replaced in latest-wins mode. */
  replaced?: number;
  /** A read found the node's relays moved by something other than this node. */
  changedElsewhere?: boolean;
}

export function relayMessage(
  msg: NodeMessage,
  result: RelayResult,
  output: OutputForm,
  flags: ResultFlags = {},
): NodeMessage {
  msg.payload = output === 'boolean' ? (result.actual & result.relaySet) === result.relaySet : result.actual;
  msg['mask'] = result.actual;
  msg['relays'] = maskToRelays(result.actual);
  const prm3: Record<string, unknown> = {
    sn: result.sn,
    method: result.method,
    argument: result.argument,
    commanded: result.commanded,
    actual: result.actual,
    applied: result.applied,
    held: result.held,
    elapsedMs: result.elapsedMs,
  };
  // Only flags that are set appear, as their own properties (no object spread per message).
  if (flags.poll !== undefined) prm3['poll'] = flags.poll;
  if (flags.replaced !== undefined) prm3['replaced'] = flags.replaced;
  if (flags.changedElsewhere !== undefined) prm3['changedElsewhere'] = flags.changedElsewhere;
  msg['prm3'] = prm3;
  return msg;
}

export function relayStatus(result: RelayResult, texts: Texts): NodeStatus {
  const actual = result.actual;
  if (!result.applied)
    return {
      fill: 'yellow',
      shape: 'dot',
      text: texts('prm3-mask.runtime.status.held', { actual, commanded: String(result.commanded) }),
    };
  const closed = relayNumbers(actual & ALL_RELAYS);
  const text =
    closed.length === 0
      ? texts('prm3-mask.runtime.status.allOpen', { actual })
      : (actual & ALL_RELAYS) === ALL_RELAYS
        ? texts('prm3-mask.runtime.status.allClosed', { actual })
        : texts('prm3-mask.runtime.status.closed', { actual, relays: closed.join(',') });
  return { fill: 'green', shape: 'dot', text };
}

/** The method the blue "busy" status names while a command runs. */
export function commandLabel(command: RelayCommand): string {
  switch (command.kind) {
    case 'get':
      return 'get_mask';
    case 'toggle':
      return 'toggle';
    case 'set':
      return 'set_mask';
    case 'change':
      if (command.open === 0) return 'close_mask';
      if (command.close === 0) return 'open_mask';
      return 'set_mask';
  }
}
