import assert from 'node:assert/strict';
import { deviceKey, DeviceQueue, type QueueRefusals } from '../src/webapi/device-queue';

class Refused extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

const refusals: QueueRefusals = {
  full: (key, limit) => new Refused(`full ${key} ${limit}`),
  aborted: (key) => new Refused(`aborted ${key}`),
  waitTimeout: (key) => new Refused(`wait-timeout ${key}`),
};

/** A job that runs until `finish` is called, recording when it started. */
function gate(log: string[], name: string): { job: () => Promise<string>; finish: () => void } {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    job: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('webapi: device queue', () => {
  it('keys attrs canonically, whatever the key order', () => {
    assert.equal(deviceKey({ name: 'prm3', model: 'PRM3' }), deviceKey({ model: 'PRM3', name: 'prm3' }));
    assert.notEqual(deviceKey({ sn: '1' }), deviceKey({ sn: '2' }));
    assert.equal(deviceKey({ path: ['a', 'b'], model: 'PRM3' }), '{"model":"PRM3","path":["a","b"]}');
  });

  it('gives a module one lane whether it is named by serial number alone or pinned to a path', () => {
    assert.equal(deviceKey({ path: ['net.egauge.slowd', 'USB1'], sn: '1' }), deviceKey({ sn: '1' }));
    assert.equal(deviceKey({ sn: '1', model: 'PRM3' }), deviceKey({ model: 'PRM3', sn: '1' }));
    assert.notEqual(
      deviceKey({ path: ['net.egauge.slowd', 'USB1'], sn: '1' }),
      deviceKey({ path: ['net.egauge.slowd', 'USB1'], sn: '2' }),
    );
  });

  it('runs jobs of one device one at a time, in order', async () => {
    const queue = new DeviceQueue<string>(10, refusals);
    const log: string[] = [];
    const gates = ['a', 'b', 'c'].map((name) => gate(log, name));
    const results = gates.map((entry, index) => queue.runInTurn('dev', entry.job, { tag: `job ${index}` }));
    await tick();
    assert.deepEqual(log, ['start a']);
    assert.deepEqual(queue.waiting('dev'), ['job 1', 'job 2']);
    for (const entry of gates) {
      entry.finish();
      await tick();
    }
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs different devices in parallel', async () => {
    const queue = new DeviceQueue<string>(10, refusals);
    const log: string[] = [];
    const one = gate(log, 'one');
    const two = gate(log, 'two');
    const results = [queue.runInTurn('dev1', one.job, { tag: 'x' }), queue.runInTurn('dev2', two.job, { tag: 'y' })];
    await tick();
    assert.deepEqual(log, ['start one', 'start two']);
    two.finish();
    one.finish();
    assert.deepEqual(await Promise.all(results), ['one', 'two']);
  });

  it('moves on after a failing job', async () => {
    const queue = new DeviceQueue<string>(10, refusals);
    const failing = queue.runInTurn('dev', () => Promise.reject(new Error('boom')), { tag: 'bad' });
    const throwing = queue.runInTurn(
      'dev',
      () => {
        throw new Error('sync boom');
      },
      { tag: 'worse' },
    );
    const next = queue.runInTurn('dev', () => Promise.resolve('ok'), { tag: 'good' });
    await assert.rejects(failing, /boom/);
    await assert.rejects(throwing, /sync boom/);
    assert.equal(await next, 'ok');
  });

  it('refuses one job beyond the limit at once, and keeps the others', async () => {
    const queue = new DeviceQueue<string>(2, refusals);
    const log: string[] = [];
    const running = gate(log, 'running');
    const first = queue.runInTurn('dev', running.job, { tag: 'r' });
    const waiting = [
      queue.runInTurn('dev', () => Promise.resolve('w1'), { tag: 'w1' }),
      queue.runInTurn('dev', () => Promise.resolve('w2'), { tag: 'w2' }),
    ];
    await assert.rejects(
      queue.runInTurn('dev', () => Promise.resolve('w3'), { tag: 'w3' }),
      (error: unknown) => error instanceof Refused && error.why === 'full dev 2',
    );
    running.finish();
    assert.equal(await first, 'running');
    assert.deepEqual(await Promise.all(waiting), ['w1', 'w2']);
  });

  it('lets a waiting job leave when its signal aborts', async () => {
    const queue = new DeviceQueue<string>(10, refusals);
    const log: string[] = [];
    const running = gate(log, 'running');
    const first = queue.runInTurn('dev', running.job, { tag: 'r' });
    const controller = new AbortController();
    let ran = false;
    const leaving = queue.runInTurn(
      'dev',
      () => {
        ran = true;
        return Promise.resolve();
      },
      { tag: 'leaving', signal: controller.signal },
    );
    const staying = queue.runInTurn('dev', () => Promise.resolve('stayed'), { tag: 'staying' });
    controller.abort();
    await assert.rejects(leaving, (error: unknown) => error instanceof Refused && error.why === 'aborted dev');
    assert.deepEqual(queue.waiting('dev'), ['staying']);
    running.finish();
    await first;
    assert.equal(await staying, 'stayed');
    assert.equal(ran, false);
  });

  it('refuses a job whose signal has already fired', async () => {
    const queue = new DeviceQueue<string>(10, refusals);
    await assert.rejects(
      queue.runInTurn('dev', () => Promise.resolve(1), { tag: 't', signal: AbortSignal.abort() }),
      /aborted dev/,
    );
  });

  it('gives up waiting after maxWaitMs', async () => {
    const queue = new DeviceQueue<string>(10, refusals);
    const log: string[] = [];
    const running = gate(log, 'running');
    const first = queue.runInTurn('dev', running.job, { tag: 'r' });
    await assert.rejects(
      queue.runInTurn('dev', () => Promise.resolve(1), { tag: 't', maxWaitMs: 20 }),
      /wait-timeout dev/,
    );
    running.finish();
    await first;
  });

  it('rejects every waiting job on demand', async () => {
    const queue = new DeviceQueue<string>(10, refusals);
    const log: string[] = [];
    const running = gate(log, 'running');
    const first = queue.runInTurn('dev', running.job, { tag: 'r' });
    const waiting = queue.runInTurn('dev', () => Promise.resolve(1), { tag: 'w' });
    queue.rejectWaiting(() => new Refused('closed'));
    await assert.rejects(waiting, /closed/);
    assert.equal(queue.waitingCount, 0);
    running.finish();
    await first;
  });
});
