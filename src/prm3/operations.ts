/**
 * One relay command or SCPI batch → the calls that carry it out → one result object.
 * Everything for one command runs in ONE device job, so no other flow's command can slip in
 * between a read and the write based on it, and a polyphase set always moves in ONE call.
 * Nothing is ever retried: a repeated relay command is a second physical event.
 */
import { EgaugeError, InputError, type ErrorContext } from '../errors';
import { ProtocolError, type CallOptions, type DeviceAttrs } from '../webapi';
import { PAYLOAD_FIELD, splitLoadReason, type RelayCommand } from './command';
import { ALL_RELAYS, isMask, relayList, type RelayGrouping } from './mask';
import { deviceAttrs, goneIfRefused } from './pinned-device';
import { describeReceived } from './preview';
import { normalizeScpiReply, SCPI_MAX_LINES, validateScpiLine } from './scpi';

/** Calls on one device while its queue slot is held (the client's DeviceCaller has this shape). */
export type DeviceCallerLike = (method: string, args: unknown[], options?: CallOptions) => Promise<unknown>;

/** Anything that runs a job with a device's slot held, e.g. the WebAPI client. */
export interface RelayTarget {
  withDevice<T>(
    attrs: DeviceAttrs,
    job: (call: DeviceCallerLike) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
}

export type RelayMethod = 'get_mask' | 'set_mask' | 'close_mask' | 'open_mask';

export interface RelayResult {
  sn: string;
  /** The actuating call made; get_mask for a read. */
  method: RelayMethod;
  /** The mask argument sent with it; null for a read. */
  argument: number | null;
  /** The whole mask the module should show now; null for a read. */
  commanded: number | null;
  /** The mask read back after the command. */
  actual: number;
  /** The node's relays. */
  relaySet: number;
  /** Every relay of the set is where it was commanded (true for a read). */
  applied: boolean;
  /** Relays of the set that did not move as commanded, e.g. inside their minimum open/close time. */
  held: number;
  elapsedMs: number;
}

export interface OperationOptions {
  signal?: AbortSignal;
  /** Limit for each call, passed on to the caller. */
  timeoutMs?: number;
  now?: () => number;
  /**
   * The path the module was listed at: calls then reach it only while it is still there, and a
   * refusal before anything acted throws DeviceGoneError.
   */
  path?: readonly string[];
}

export interface ScpiResult {
  command: string;
  /** The reply exactly as the device sent it, line end included. */
  raw: string;
  reply: string;
  invalid: boolean;
}

export async function executeRelayCommand(
  target: RelayTarget,
  sn: string,
  command: RelayCommand,
  relaySet: number,
  grouping: RelayGrouping,
  options: OperationOptions = {},
): Promise<RelayResult> {
  checkSerial(sn);
  checkRelaySet(relaySet);
  checkGrouping(grouping);
  checkCommand(command, relaySet, grouping);
  const callOptions = toCallOptions(options);
  const now = options.now ?? Date.now;
  const started = now();

  const outcome = await target.withDevice(
    deviceAttrs(sn, options.path),
    async (call) => {
      const session = new RelaySession(call, sn, callOptions);
      try {
        return await session.runCommand(command, relaySet, grouping);
      } catch (error) {
        throw session.actuated ? session.afterCommand(error) : goneIfRefused(error, sn, options.path, false);
      }
    },
    { signal: options.signal },
  );

  const held = outcome.commanded === null ? 0 : (outcome.actual ^ outcome.commanded) & relaySet;
  return {
    sn,
    method: outcome.method,
    argument: outcome.argument,
    commanded: outcome.commanded,
    actual: outcome.actual,
    relaySet,
    applied: held === 0,
    held,
    elapsedMs: Math.max(0, now() - started),
  };
}

/** Runs every line in order in one job; stops after the first INVALID COMMAND and returns what ran. */
export async function executeScpi(
  target: RelayTarget,
  sn: string,
  lines: readonly string[],
  options: OperationOptions = {},
): Promise<ScpiResult[]> {
  checkSerial(sn);
  if (lines.length === 0 || lines.length > SCPI_MAX_LINES) {
    throw new InputError('scpi lines', `give 1..${SCPI_MAX_LINES} SCPI lines, got ${lines.length}`);
  }
  const commands = lines.map((line, index) => validateScpiLine(line, `SCPI line ${index + 1}`));
  const callOptions = toCallOptions(options);

  return target.withDevice(
    deviceAttrs(sn, options.path),
    async (call) => {
      const results: ScpiResult[] = [];
      for (const command of commands) {
        let raw: unknown;
        try {
          raw = await call('scpi.exec', [command], callOptions);
        } catch (error) {
          // Any line that ran may have changed the module's settings.
          throw goneIfRefused(error, sn, options.path, results.length > 0);
        }
        const reply = normalizeScpiReply(raw, { device: sn, operation: 'scpi.exec', maybeSent: true });
        // normalizeScpiReply accepted it, so it is a string.
        results.push({ command, raw: String(raw), reply: reply.text, invalid: reply.invalid });
        if (reply.invalid) break;
      }
      return results;
    },
    { signal: options.signal },
  );
}

interface SessionOutcome {
  method: RelayMethod;
  argument: number | null;
  commanded: number | null;
  actual: number;
}

/** The calls of one command on one device, with every result checked. */
class RelaySession {
  /** Set once an actuating call went out, so later errors can say so. */
  private sent: string | null = null;
  /** Set once the meter accepted the actuating call: from then on the command may have acted. */
  actuated = false;

  constructor(
    private readonly call: DeviceCallerLike,
    private readonly sn: string,
    private readonly callOptions: CallOptions,
  ) {}

  async runCommand(command: RelayCommand, relaySet: number, grouping: RelayGrouping): Promise<SessionOutcome> {
    switch (command.kind) {
      case 'get':
        return { method: 'get_mask', argument: null, commanded: null, actual: await this.getMask() };
      case 'toggle': {
        const current = await this.getMask();
        if (grouping === 'independent') return this.setMask(current ^ relaySet);
        // Inverting a load found split (a held relay, a change made elsewhere) would keep it split.
        const allClosed = (current & relaySet) === relaySet;
        return this.setMask(allClosed ? current & ~relaySet : current | relaySet);
      }
      case 'set': {
        if (relaySet === ALL_RELAYS) return this.setMask(command.mask);
        const current = await this.getMask();
        return this.setMask((current & ~relaySet) | command.mask);
      }
      case 'change':
        return this.change(command.close, command.open);
    }
  }

  private async change(close: number, open: number): Promise<SessionOutcome> {
    if (open === 0 || close === 0) {
      const method = open === 0 ? 'close_mask' : 'open_mask';
      const argument = open === 0 ? close : open;
      await this.actuate(method, argument);
      const actual = await this.getMask();
      // Relays this command did not address are taken as the module reports them.
      return { method, argument, commanded: (actual & ~(close | open)) | close, actual };
    }
    const current = await this.getMask();
    return this.setMask((current | close) & ~open);
  }

  private async setMask(mask: number): Promise<SessionOutcome> {
    await this.actuate('set_mask', mask);
    return { method: 'set_mask', argument: mask, commanded: mask, actual: await this.getMask() };
  }

  private async getMask(): Promise<number> {
    const result = await this.call('relay.get_mask', [], this.callOptions);
    if (!isMask(result)) {
      throw new ProtocolError(
        `relay.get_mask on ${this.sn} returned ${describeReceived(result)}; expected a mask 0..7${this.sentNote()}`,
        {
          operation: 'relay.get_mask',
          device: this.sn,
          maybeSent: this.sent !== null,
        },
      );
    }
    return result;
  }

  private async actuate(method: 'set_mask' | 'close_mask' | 'open_mask', mask: number): Promise<void> {
    const qualified = `relay.${method}`;
    const promise = this.call(qualified, [mask], this.callOptions);
    this.sent = `${qualified} [${mask}]`;
    const result = await promise;
    this.actuated = true;
    // The module answers false (or nothing); anything else means the reply is not understood.
    if (result !== undefined && typeof result !== 'boolean') {
      throw new ProtocolError(
        `${qualified} on ${this.sn} returned ${describeReceived(result)}; expected true, false or nothing${this.sentNote()}`,
        {
          operation: qualified,
          device: this.sn,
          maybeSent: true,
        },
      );
    }
  }

  /** A failure after the meter accepted the command, e.g. of the read-back: the relays may have moved. */
  afterCommand(error: unknown): unknown {
    if (!(error instanceof EgaugeError) || error.maybeSent) return error;
    const context: ErrorContext = { maybeSent: true };
    if (error.meter !== undefined) context.meter = error.meter;
    if (error.operation !== undefined) context.operation = error.operation;
    if (error.device !== undefined) context.device = error.device;
    return new EgaugeError(error.code, `${error.message}${this.sentNote()}`, context, { cause: error });
  }

  private sentNote(): string {
    return this.sent === null ? '' : ` (${this.sent} was sent: check the relays)`;
  }
}

function checkSerial(sn: unknown): void {
  if (typeof sn !== 'string' || sn.trim() === '') {
    throw new InputError('sn', `a device serial number is needed, got ${describeReceived(sn)}`);
  }
}

function checkRelaySet(relaySet: unknown): void {
  if (!isMask(relaySet) || relaySet === 0) {
    throw new InputError('relays', `the node's relay set must be a mask 1..7, got ${describeReceived(relaySet)}`);
  }
}

function checkGrouping(grouping: unknown): void {
  if (grouping !== 'one-load' && grouping !== 'independent') {
    throw new InputError(
      'oneLoad',
      `the relays' grouping must be "one-load" or "independent", got ${describeReceived(grouping)}`,
    );
  }
}

/** Commands usually come from parseRelayCommand; one built elsewhere gets the same checks. */
function checkCommand(command: RelayCommand, relaySet: number, grouping: RelayGrouping): void {
  checkCommandShape(command, relaySet);
  if (grouping !== 'one-load') return;
  const reason = splitLoadReason(command, relaySet);
  if (reason !== null) throw new InputError(PAYLOAD_FIELD, `${PAYLOAD_FIELD}: ${reason}`);
}

function checkCommandShape(command: RelayCommand, relaySet: number): void {
  const fail = (reason: string): InputError =>
    new InputError(PAYLOAD_FIELD, `${PAYLOAD_FIELD}: ${reason} (this node drives relays ${relayList(relaySet)})`);
  const inSet = (mask: unknown, what: string): void => {
    if (!isMask(mask)) throw fail(`${what} must be a mask 0..7, got ${describeReceived(mask)}`);
    if ((mask & ~relaySet) !== 0) throw fail(`${what} ${mask} names relays outside the node's set`);
  };
  switch (command.kind) {
    case 'get':
    case 'toggle':
      return;
    case 'set':
      inSet(command.mask, 'mask');
      return;
    case 'change':
      inSet(command.close, 'close');
      inSet(command.open, 'open');
      if ((command.close & command.open) !== 0) throw fail('a relay cannot be both closed and opened');
      if (command.close === 0 && command.open === 0) throw fail('the command names no relay');
      return;
    default:
      throw fail(`unknown command ${describeReceived(command)}`);
  }
}

function toCallOptions(options: OperationOptions): CallOptions {
  const callOptions: CallOptions = {};
  if (options.timeoutMs !== undefined) {
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new InputError(
        'timeout',
        `the call timeout must be a positive number of milliseconds, got ${describeReceived(options.timeoutMs)}`,
      );
    }
    callOptions.timeoutMs = options.timeoutMs;
  }
  if (options.signal !== undefined) callOptions.signal = options.signal;
  return callOptions;
}
