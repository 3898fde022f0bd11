/** What became of each numbered message sent into a node: its outputs and caught errors. */
import assert from 'node:assert/strict';
import { eventually, helper, type Msg } from './flow';

export interface Outcome {
  kind: 'output' | 'error';
  msg: Msg;
}

/** Sends numbered messages into `mask` and records what became of each. */
export class Ledger {
  readonly outcomes = new Map<number, Outcome[]>();
  private next = 0;

  /** Listens on the helper nodes `out` (outputs) and `caught` (a Catch node's output). */
  constructor(private readonly entry = 'mask') {
    helper.getNode('out').on('input', (msg: Msg) => this.record('output', msg));
    helper.getNode('caught').on('input', (msg: Msg) => this.record('error', msg));
  }

  private record(kind: Outcome['kind'], msg: Msg): void {
    const n = msg['n'];
    if (typeof n !== 'number') return;
    this.outcomes.set(n, [...(this.outcomes.get(n) ?? []), { kind, msg }]);
  }

  send(payload: unknown): number {
    const n = this.next++;
    helper.getNode(this.entry).receive({ payload, n });
    return n;
  }

  /** Resolves with the single outcome of message `n`. */
  async outcome(n: number, ms = 15_000): Promise<Outcome> {
    await eventually(() => this.outcomes.has(n), ms, `an outcome for message ${n}`);
    return this.only(n);
  }

  only(n: number): Outcome {
    const all = this.outcomes.get(n) ?? [];
    assert.equal(all.length, 1, `message ${n} ended exactly once (got ${all.map((o) => o.kind).join(', ')})`);
    const first = all[0];
    assert.ok(first);
    return first;
  }

  get sent(): number {
    return this.next;
  }
}
