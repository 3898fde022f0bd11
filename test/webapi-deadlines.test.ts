import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Deadlines } from '../src/webapi/deadlines';

describe('webapi: deadlines on one timer', () => {
  const entry = (ms: number, fired: string[], name: string): { deadline: number; expire(): void } => ({
    deadline: performance.now() + ms,
    expire: () => fired.push(name),
  });

  it('expires each deadline once, in time, and none that was removed', async () => {
    const deadlines = new Deadlines();
    const fired: string[] = [];
    const late = entry(120, fired, 'late');
    const early = entry(30, fired, 'early');
    const removed = entry(20, fired, 'removed');
    for (const item of [late, early, removed]) deadlines.add(item);
    deadlines.remove(removed);
    await sleep(70);
    assert.deepEqual(fired, ['early']);
    await sleep(100);
    assert.deepEqual(fired, ['early', 'late']);
    assert.equal(deadlines.size, 0);
  });

  it('honours a deadline moved earlier or later', async () => {
    const deadlines = new Deadlines();
    const fired: string[] = [];
    const sooner = entry(10_000, fired, 'sooner');
    const later = entry(20, fired, 'later');
    deadlines.add(sooner);
    deadlines.add(later);
    sooner.deadline = performance.now() + 20;
    deadlines.moved(sooner);
    later.deadline = performance.now() + 150;
    deadlines.moved(later);
    await sleep(80);
    assert.deepEqual(fired, ['sooner']);
    await sleep(120);
    assert.deepEqual(fired, ['sooner', 'later']);
  });

  it('leaves no timer behind once stopped', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    await sleep(1);
    const before = timers();
    const deadlines = new Deadlines();
    const fired: string[] = [];
    deadlines.add(entry(50, fired, 'stopped'));
    deadlines.stop();
    assert.equal(timers(), before);
    await sleep(100);
    assert.deepEqual(fired, []);
  });
});
