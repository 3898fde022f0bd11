/**
 * Decides what a node's status shows from three facts: the meter connection, calls in flight,
 * and the node's last outcome. Keeping the decision in one place is what lets stale errors
 * clear on recovery and connection problems show on every node that uses the meter.
 */
import type { ClientState } from '../webapi';
import type { NodeStatus } from './red';
import { shared, type Texts } from './texts';

/** A call shorter than this never flashes the blue "busy" dot. */
const BUSY_DELAY_MS = 40;

export class StatusView {
  private connection: ClientState = 'idle';
  private busyCount = 0;
  private busyLabel = '';
  private busyShown = false;
  private busyTimer: NodeJS.Timeout | undefined;
  private outcome: { status: NodeStatus; isError: boolean } | undefined;
  private shown = '';

  constructor(
    private readonly apply: (status: NodeStatus) => void,
    private readonly texts: Texts,
  ) {}

  meterState(state: ClientState): void {
    const recovered = state === 'ready' && this.connection !== 'ready';
    this.connection = state;
    // An error caused by the connection is stale once the meter answers again.
    if (recovered && this.outcome?.isError) this.outcome = undefined;
    this.render();
  }

  busy(label: string): void {
    this.busyCount += 1;
    this.busyLabel = label;
    if (this.busyCount === 1 && this.busyTimer === undefined) {
      this.busyTimer = setTimeout(() => {
        this.busyTimer = undefined;
        this.busyShown = true;
        this.render();
      }, BUSY_DELAY_MS);
      this.busyTimer.unref();
    } else if (this.busyShown) {
      this.render();
    }
  }

  idle(): void {
    this.busyCount = Math.max(0, this.busyCount - 1);
    if (this.busyCount === 0) {
      clearTimeout(this.busyTimer);
      this.busyTimer = undefined;
      this.busyShown = false;
    }
    this.render();
  }

  result(status: NodeStatus): void {
    this.outcome = { status, isError: false };
    this.render();
  }

  error(text: string): void {
    this.outcome = { status: { fill: 'red', shape: 'ring', text }, isError: true };
    this.render();
  }

  /** Forget the last outcome (e.g. after the device list changed). */
  clear(): void {
    this.outcome = undefined;
    this.render();
  }

  dispose(): void {
    clearTimeout(this.busyTimer);
    this.busyTimer = undefined;
  }

  current(): NodeStatus {
    if (this.busyShown && this.busyCount > 0) return { fill: 'blue', shape: 'dot', text: `${this.busyLabel}…` };
    if (this.connection === 'auth-failed')
      return { fill: 'red', shape: 'ring', text: this.texts(shared('status.authFailed')) };
    if (this.connection === 'unreachable')
      return { fill: 'red', shape: 'ring', text: this.texts(shared('status.unreachable')) };
    if (this.outcome) return this.outcome.status;
    // Core's own keys: the editor shows them in the user's language, as it does for MQTT.
    if (this.connection === 'connecting')
      return { fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' };
    if (this.connection === 'ready') return { fill: 'green', shape: 'ring', text: 'node-red:common.status.connected' };
    return {};
  }

  private render(): void {
    const status = this.current();
    const key = `${status.fill ?? ''}|${status.shape ?? ''}|${status.text ?? ''}`;
    // Status events travel to every open editor: send only real changes.
    if (key === this.shown) return;
    this.shown = key;
    this.apply(status);
  }
}
