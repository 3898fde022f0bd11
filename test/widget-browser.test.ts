/**
 * The relay widget fed by a load shedder's state messages, in Chromium: owner, reason,
 * countdowns, the chart's limit and projection, override buttons with a duration, and fail-safe.
 */
import assert from 'node:assert/strict';
import type { Browser, Locator, Page } from 'playwright-core';
import { createShedder, type Decision, type ShedState } from '../src/shed';
import type { ShedEvent } from '../src/shed/events';
import { keepScreenshots, launchChromium, readmeScreenshot } from './helpers/browser';
import { exampleDashboard, startWidgetRed, type WidgetRed } from './helpers/widget-red';

const LOADS = [
  { name: 'pool pump', device: 'prm3-a', relays: '1', priority: 1, expectedW: 1000, minOnS: 10, minOffS: 10 },
  { name: 'water heater', device: 'prm3-a', relays: '2', priority: 2, expectedW: 3000, minOnS: 10, minOffS: 10 },
];

/** A shedder stepped on the real clock, so the views' times are the page's times. */
class Shedder {
  readonly shedder;
  state: ShedState;
  masks = 3;
  constructor(settings: Record<string, unknown> = {}) {
    this.shedder = createShedder({
      loads: LOADS,
      limitW: 5000,
      bandW: 500,
      shedDelayS: 1,
      restoreDelayS: 60,
      ...settings,
    });
    this.state = this.shedder.initialState();
  }
  send(event: ShedEvent, now = Date.now()): Decision {
    const d = this.shedder.step(this.state, event, now);
    this.state = d.state;
    return d;
  }
}

describe('in a browser: the relay widget fed by a load shedder', function () {
  this.timeout(90_000);
  let red: WidgetRed;
  let browser: Browser;
  let page: Page;
  const dashboard = exampleDashboard();
  // The light page's widget waits long before greying (a loaded machine is slow); the dark page's goes grey after 4 s.
  const darkGroup = dashboard.find(
    (n) => n['type'] === 'ui-group' && n['page'] === dashboard.find((p) => p['path'] === '/relays-dark')?.['id'],
  );
  const group = dashboard.find(
    (n) => n['type'] === 'ui-group' && n['page'] === dashboard.find((p) => p['path'] === '/relays')?.['id'],
  );

  before(async function () {
    this.timeout(120_000);
    const launched = await launchChromium();
    if (typeof launched === 'string') {
      console.log(`      browser tests skipped: ${launched}`);
      this.skip();
    }
    browser = launched;
    red = await startWidgetRed();
    await red.deploy([
      ...dashboard,
      { id: 'w1tab', type: 'tab', label: 'widget' },
      {
        id: 'w1in',
        type: 'http in',
        z: 'w1tab',
        url: '/state',
        method: 'post',
        wires: [['w1widget', 'w1silence', 'w1ok']],
      },
      { id: 'w1ok', type: 'http response', z: 'w1tab', statusCode: '204', wires: [] },
      {
        id: 'w1widget',
        type: 'ui-prm3-loads',
        z: 'w1tab',
        group: group?.['id'],
        order: 1,
        width: 0,
        height: 0,
        name: 'Loads',
        staleS: '600',
        chartMinutes: '5',
        wires: [['w1keep']],
      },
      {
        id: 'w1silence',
        type: 'ui-prm3-loads',
        z: 'w1tab',
        group: darkGroup?.['id'],
        order: 1,
        width: 0,
        height: 0,
        name: 'Loads',
        staleS: '4',
        chartMinutes: '5',
        wires: [[]],
      },
      {
        id: 'w1keep',
        type: 'function',
        z: 'w1tab',
        name: 'keep what the widget sends',
        func: "const sent = global.get('sent') || [];\nsent.push({ topic: msg.topic, payload: msg.payload });\nglobal.set('sent', sent);\nreturn null;",
        outputs: 1,
        wires: [[]],
      },
    ]);
  });

  after(async function () {
    await browser?.close();
    await red?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      const saved = await keepScreenshots(this.currentTest.fullTitle(), [page]);
      console.log(`      screenshots: ${saved.join(', ')}`);
    }
  });

  const row = (name: string): Locator => page.locator(`.prm3-loads [data-load="${name}"]`);

  async function sent(): Promise<unknown[]> {
    const value: unknown = await red.global('sent');
    return Array.isArray(value) ? (value as unknown[]) : [];
  }

  it('shows who shed a load and why, the restore countdown and the limit, and sends an override with its duration', async function () {
    const feed = new Shedder();
    feed.send({ type: 'relayStates', masks: { 'prm3-a': 3 } }, Date.now() - 60_000);
    for (let s = 59; s > 30; s--)
      await red.post('state', feed.send({ type: 'reading', watts: 2500 + 40 * s }, Date.now() - s * 1000).view);
    feed.send({ type: 'reading', watts: 6500 }, Date.now() - 5000);
    let d = feed.send({ type: 'reading', watts: 6500 }, Date.now() - 3000);
    assert.equal(d.commands[0]?.load, 'pool pump');
    feed.send({ type: 'commandResult', load: 'pool pump', outcome: 'confirmed' }, Date.now() - 2900);
    feed.send({ type: 'relayStates', masks: { 'prm3-a': 2 } }, Date.now() - 2800);
    await red.post('state', feed.send({ type: 'reading', watts: 3500 }).view);

    page = await browser.newPage();
    await page.setViewportSize({ width: 1100, height: 620 });
    await page.goto(`${red.url}dashboard/relays`);
    await row('pool pump').locator('[data-role=state][data-state=off]').waitFor({ timeout: 30_000 });
    assert.match((await row('pool pump').locator('[data-role=why]').textContent()) ?? '', /^auto · .*shed/i);
    assert.match((await row('pool pump').locator('[data-role=timers]').textContent()) ?? '', /restore in \d+:\d\d/);
    assert.equal((await page.locator('.prm3-loads [data-role=power]').textContent())?.trim(), '3.5 / 5.0 kW');
    await page.locator('.prm3-loads [data-role=limit]').waitFor({ state: 'attached' }); // a line has no height: never 'visible'
    assert.deepEqual(
      await row('water heater')
        .locator('button')
        .evaluateAll((all) => all.map((b) => b.getAttribute('aria-label'))),
      ['Switch on: water heater', 'Switch off: water heater', 'Automatic control for water heater'],
    );
    assert.equal(await row('water heater').locator('button[data-action=auto]').getAttribute('aria-pressed'), 'true');

    await row('water heater').locator('select[data-role=duration]').selectOption({ label: '4 h' });
    await row('water heater').locator('button[data-action=off]').click();
    await row('water heater').locator('[data-role=note]', { hasText: 'pending: off' }).waitFor({ timeout: 10_000 });
    assert.equal(await row('water heater').locator('[data-role=state]').textContent(), 'on', 'not confirmed yet');
    const end = Date.now() + 10_000;
    while ((await sent()).length === 0 && Date.now() < end) await page.waitForTimeout(100);
    assert.deepEqual(await sent(), [
      { topic: 'override', payload: { load: 'water heater', state: 'off', forS: 14_400 } },
    ]);

    // The shedder takes the override, switches, and its read-back confirms.
    d = feed.send({ type: 'override', load: 'water heater', state: 'off', forS: 14_400 });
    await red.post('state', d.view);
    for (const c of d.commands) feed.send({ type: 'commandResult', load: c.load, outcome: 'confirmed' });
    feed.send({ type: 'relayStates', masks: { 'prm3-a': 0 } });
    await red.post('state', feed.send({ type: 'reading', watts: 500 }).view);
    await row('water heater').locator('[data-role=state][data-state=off]').waitFor({ timeout: 10_000 });
    assert.equal(await row('water heater').getAttribute('data-pending'), 'false');
    assert.match((await row('water heater').locator('[data-role=why]').textContent()) ?? '', /^manual · override: off/);
    assert.match(
      (await row('water heater').locator('[data-role=timers]').textContent()) ?? '',
      /override ends in (4:00:00|3:59:\d\d)/,
    );
    assert.equal(await row('water heater').locator('button[data-action=off]').getAttribute('aria-pressed'), 'true');
    await readmeScreenshot(page, 'widget-shedder.png');
  });

  it('draws the projected interval average in demand mode', async function () {
    const feed = new Shedder({ demandIntervalMin: 15 });
    feed.send({ type: 'relayStates', masks: { 'prm3-a': 3 } });
    await red.post('state', feed.send({ type: 'reading', watts: 4200 }).view);
    page = await browser.newPage();
    await page.goto(`${red.url}dashboard/relays`);
    await page.locator('.prm3-loads [data-role=projection]').waitFor({ state: 'attached', timeout: 30_000 });
    assert.match(
      (await page.locator('.prm3-loads [data-role=projected]').textContent()) ?? '',
      /interval average [\d.]+ kW/,
    );
  });

  it('greys out in fail-safe and when state messages stop, and recovers with the next one', async function () {
    const feed = new Shedder({ failsafeAfterS: 5 });
    feed.send({ type: 'relayStates', masks: { 'prm3-a': 3 } }, Date.now() - 20_000);
    feed.send({ type: 'reading', watts: 2000 }, Date.now() - 20_000);
    page = await browser.newPage();
    await page.goto(`${red.url}dashboard/relays-dark`);
    await red.post('state', feed.send({ type: 'meter', reachable: false }).view);
    await page.locator('.prm3-loads[data-stale=true] [data-role=stale]').waitFor({ timeout: 20_000 });
    await red.post('state', feed.send({ type: 'meter', reachable: true }).view);
    await red.post('state', feed.send({ type: 'reading', watts: 2000 }).view);
    await page.locator('.prm3-loads[data-stale=false]').waitFor({ timeout: 20_000 });
    // Nothing more arrives: grey after the widget's 4 s.
    await page.locator('.prm3-loads[data-stale=true]').waitFor({ timeout: 20_000 });
    assert.ok(await row('pool pump').locator('button[data-action=on]').isDisabled());
    await red.post('state', feed.send({ type: 'reading', watts: 2000 }).view);
    await page.locator('.prm3-loads[data-stale=false]').waitFor({ timeout: 20_000 });
  });
});
