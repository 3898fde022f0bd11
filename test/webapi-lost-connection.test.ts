import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { NetworkError } from '../src/webapi';
import { eventually, rejection, SimFixture } from './helpers/sim-fixture';

const PRM3 = { sn: '00000004' };
const SEND_HEADERS = 'undici:client:sendHeaders';

/** What the kernel reports when a router says the host is gone while a request is on the wire. */
function hostUnreachable(): Error {
  return Object.assign(new Error('read EHOSTUNREACH'), { code: 'EHOSTUNREACH', errno: -113, syscall: 'read' });
}

function isSendHeaders(message: unknown): message is { request: { path: string; method: string }; socket: Socket } {
  return typeof message === 'object' && message !== null && 'request' in message && 'socket' in message;
}

/** The sockets that carried requests to `path`, as undici reports them once the headers are written. */
class SocketsFor {
  readonly sockets: Socket[] = [];
  private readonly listener = (message: unknown): void => {
    if (isSendHeaders(message) && message.request.path.endsWith(this.path)) this.sockets.push(message.socket);
  };

  constructor(private readonly path: string) {
    diagnostics.subscribe(SEND_HEADERS, this.listener);
  }

  stop(): void {
    diagnostics.unsubscribe(SEND_HEADERS, this.listener);
  }
}

describe('webapi client: a connection lost after the request left', () => {
  let fx: SimFixture;
  let watch: SocketsFor | undefined;

  afterEach(async () => {
    watch?.stop();
    watch = undefined;
    fx.sim.faults.delayMs = 0;
    await fx.close();
  });

  it('never sends a switching command again when an established connection fails with EHOSTUNREACH', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    await client.rights();
    watch = new SocketsFor('/ctrl/call');
    // The reply is held back, so the connection fails while the meter has the command.
    fx.sim.faults.delayMs = 1_000;
    const command = client.call(PRM3, 'relay.set_mask', [5]);
    await eventually(() => fx.sim.ctrlCalls('relay.set_mask').length === 1, 5_000, 'the meter received set_mask');
    const socket = watch.sockets[0];
    assert.ok(socket, 'the command went out on a socket');
    socket.destroy(hostUnreachable());

    const error = await rejection(command, NetworkError);

    assert.equal(error.maybeSent, true, 'the command may have been carried out');
    assert.match(error.message, /may or may not have reached the meter/);
    assert.equal(fx.sim.ctrlCalls('relay.set_mask').length, 1, 'sent exactly once');
  });

  it('still retries a read once after the same failure, so a listing goes through', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    await client.rights();
    watch = new SocketsFor('/ctrl/device');
    fx.sim.faults.delayMs = 300;
    const listing = client.devices();
    const listings = (): number => fx.sim.log.filter((entry) => entry.path === '/api/ctrl/device').length;
    await eventually(() => listings() === 1, 5_000, 'the meter received the listing');
    const socket = watch.sockets[0];
    assert.ok(socket, 'the listing went out on a socket');
    socket.destroy(hostUnreachable());

    const devices = await listing;

    assert.deepEqual(
      devices.map((device) => device.sn),
      ['00000004'],
    );
    assert.equal(listings(), 2, 'one retry');
  });
});
