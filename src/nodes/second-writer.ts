/**
 * Notices a second writer: something other than this node (a person, another flow, another
 * program on the meter) moved the node's relays. Only reads tell: a poll or a `get` that finds
 * the node's relays elsewhere than this node last saw them.
 */
import { relayList } from '../prm3/mask';
import type { Texts } from './texts';

export class SecondWriterWatch {
  /** The mask this node last saw, from its own command or a read; null when not known. */
  private last: number | null = null;
  private warned = false;

  constructor(
    private readonly relaySet: number,
    private readonly warn: (text: string) => void,
    private readonly texts: Texts,
  ) {}

  /** The state after this node's own command: what the next read is compared with. */
  own(actual: number): void {
    this.last = actual;
  }

  /** After a failed command the relays may or may not have moved: nothing to compare with. */
  forget(): void {
    this.last = null;
  }

  /** A read: true when the node's relays moved since this node last saw them. Warns the first time. */
  read(actual: number): boolean {
    const before = this.last;
    this.last = actual;
    const moved = before === null ? 0 : (actual ^ before) & this.relaySet;
    if (moved === 0) return false;
    if (!this.warned) {
      this.warned = true;
      this.warn(
        this.texts('prm3-mask.runtime.log.changedElsewhere', {
          relays: relayList(moved),
          before: String(before),
          actual,
        }),
      );
    }
    return true;
  }
}
