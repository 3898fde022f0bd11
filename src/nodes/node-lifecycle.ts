/**
 * The lifecycle every node that talks to a meter shares: find the config node, show status,
 * run one input at a time through validation then execution, report errors once through
 * done(err), and after close send nothing and leave no timer behind.
 */
import { setMaxListeners } from 'node:events';
import { toEgaugeError, type EgaugeError, type ErrorDetails } from '../errors';
import type { MeterConnection } from './meter-connection';
import { findMeter } from './egauge-meter-lookup';
import { StatusView } from './status-view';
import type { DoneFn, Node, NodeAPI, NodeMessage, NodeMessageInFlow, NodeStatus, SendFn } from './red';
import { shared, textsOf, type Texts } from './texts';

export interface Outcome {
  msg: NodeMessage | null;
  /** Null leaves the status as it is (a message that ended without running). */
  status: NodeStatus | null;
}

/** Validation is synchronous and sends nothing; execution does the I/O. */
export interface Prepared {
  label: string;
  execute(signal: AbortSignal): Promise<Outcome>;
}

/** The status text of an error: the kind of failure, in a word or two. */
export function shortError(error: EgaugeError, texts: Texts): string {
  return texts(shared(`error.${error.code}`));
}

/**
 * Where Catch nodes find an error's meter, device and operation. Node-RED builds a Catch node's
 * `msg.error` itself from the error object (message, source, code, stack, cause), so the details
 * need a property of their own on the message.
 */
export const ERROR_DETAILS = 'egaugeError';

export class NodeLifecycle {
  readonly view: StatusView;
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    readonly node: Node,
    readonly meter: MeterConnection,
    readonly texts: Texts,
  ) {
    // Every message in flight listens to the node's close signal; dozens at once are normal.
    setMaxListeners(0, this.abort.signal);
    this.view = new StatusView((status) => node.status(status), texts);
    meter.register(this.view);
    node.on('close', (_removed: boolean, done: () => void) => {
      this.closed = true;
      this.abort.abort();
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      meter.deregister(this.view);
      this.view.dispose();
      done();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Handles one input message: exactly one send-and-done or one done(err), nothing after close. */
  async handleInput(msg: NodeMessageInFlow, send: SendFn, done: DoneFn, prepare: () => Prepared): Promise<void> {
    let prepared: Prepared;
    try {
      prepared = prepare();
    } catch (thrown) {
      this.fail(msg, done, thrown);
      return;
    }
    this.view.busy(prepared.label);
    try {
      const outcome = await prepared.execute(this.abort.signal);
      if (this.closed) return done();
      if (outcome.status) this.view.result(outcome.status);
      if (outcome.msg) {
        // A caught message sent round again must not carry its old failure on a success.
        delete outcome.msg[ERROR_DETAILS];
        send(outcome.msg);
      }
      done();
    } catch (thrown) {
      if (this.closed) return done();
      this.fail(msg, done, thrown);
    } finally {
      this.view.idle();
    }
  }

  /** Reports an error for a message: red status, then done(err) with the details on the message for Catch nodes. */
  fail(msg: NodeMessageInFlow, done: DoneFn, thrown: unknown): void {
    const error = this.describe(thrown);
    this.view.error(shortError(error, this.texts));
    msg[ERROR_DETAILS] = this.details(error);
    done(error);
  }

  /** `msg.egaugeError`: every error names its meter, also one raised before the meter was asked. */
  details(error: EgaugeError): ErrorDetails {
    const details = error.toJSON();
    if (details.meter === undefined) details.meter = this.meter.url;
    return details;
  }

  describe(thrown: unknown): EgaugeError {
    return toEgaugeError(thrown, { meter: this.meter.url });
  }

  /** Runs `task` once after `delayMs`, unless the node closed first. */
  once(delayMs: number, task: (signal: AbortSignal) => Promise<void>): void {
    this.later(delayMs, task, () => undefined);
  }

  /** Runs `task` every `ms` (first run after `firstDelayMs`), never overlapping itself and never after close. */
  every(ms: number, firstDelayMs: number, task: (signal: AbortSignal) => Promise<void>): void {
    const again = (): void => this.later(ms, task, again);
    this.later(firstDelayMs, task, again);
  }

  private later(delayMs: number, task: (signal: AbortSignal) => Promise<void>, then: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task(this.abort.signal)
        .then(() => {
          this.lastTimedFailure = null;
        })
        .catch((thrown: unknown) => {
          if (!this.closed) this.timedFailure(this.describe(thrown));
        })
        .finally(then);
    }, delayMs);
    this.timers.add(timer);
  }

  private lastTimedFailure: string | null = null;

  /** A failing timed task shows on the status every time but reaches Catch nodes once per kind of failure. */
  private timedFailure(error: EgaugeError): void {
    this.view.error(shortError(error, this.texts));
    if (this.lastTimedFailure === error.code) return;
    this.lastTimedFailure = error.code;
    this.node.error(error, { [ERROR_DETAILS]: this.details(error) });
  }
}

/**
 * Finds the meter config node for a node that talks to a meter. When it is missing the node shows why and
 * registers no input handler: a message to it would have nowhere to go.
 */
export function attachToMeter(RED: NodeAPI, node: Node, meterId: unknown): NodeLifecycle | null {
  const meter = findMeter(RED, meterId);
  const texts = textsOf(RED);
  if (typeof meter === 'string') {
    const missing = meter === 'missing';
    node.status({
      fill: 'red',
      shape: 'ring',
      text: texts(missing ? shared('status.noMeter') : shared('status.meterInvalid')),
    });
    node.error(texts(missing ? shared('log.noMeter') : shared('log.meterInvalid')));
    return null;
  }
  return new NodeLifecycle(node, meter, texts);
}

/** Settings errors stop a node at deploy, with the field named, before anything is sent. */
export function readSettingsOrReport<T>(RED: NodeAPI, node: Node, read: () => T): T | null {
  try {
    return read();
  } catch (thrown) {
    const error = toEgaugeError(thrown);
    const texts = textsOf(RED);
    node.status({ fill: 'red', shape: 'ring', text: texts(shared('status.invalidSettings')) });
    node.error(texts(shared('log.invalidSettings'), { message: error.message }));
    return null;
  }
}
