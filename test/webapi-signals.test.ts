import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { linkSignals } from '../src/webapi/signals';

describe('webapi: linked signals (the deadline of every call)', () => {
  it('fires when a source fires, with its reason, and is not a timeout', () => {
    const source = new AbortController();
    const linked = linkSignals([source.signal, undefined], 10_000);
    source.abort('closed');
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.signal.reason, 'closed');
    assert.equal(linked.timedOut(), false);
    linked.dispose();
  });

  it('fires at its time limit and says so', async () => {
    const linked = linkSignals([new AbortController().signal], 30);
    await sleep(80);
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.timedOut(), true);
    linked.dispose();
  });

  it('moves the limit later: the first limit passes without firing, the new one fires', async () => {
    const linked = linkSignals([new AbortController().signal], 30);
    linked.limit(150);
    await sleep(80);
    assert.equal(linked.signal.aborted, false, 'the first limit no longer applies');
    await sleep(150);
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.timedOut(), true);
    linked.dispose();
  });

  it('moves the limit earlier', async () => {
    const linked = linkSignals([new AbortController().signal], 10_000);
    linked.limit(20);
    await sleep(70);
    assert.equal(linked.signal.aborted, true);
    linked.dispose();
  });

  it('after dispose, neither a source nor the limit fires it', async () => {
    const source = new AbortController();
    const linked = linkSignals([source.signal], 20);
    linked.dispose();
    source.abort();
    await sleep(50);
    assert.equal(linked.signal.aborted, false);
  });

  it('is already fired when a source was', () => {
    const source = new AbortController();
    source.abort('gone');
    const linked = linkSignals([source.signal], 1_000);
    assert.equal(linked.signal.aborted, true);
    assert.equal(linked.signal.reason, 'gone');
  });
});
