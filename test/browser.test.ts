import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { startDemo, type Demo } from '../demo/demo';
import { readExample } from '../demo/flow';
import { IMAGES_DIR, keepScreenshots, launchChromium, README_SCREENSHOTS, readmeScreenshot } from './helpers/browser';
import { eventually } from './helpers/flow';

describe('in a browser: the demo editor and dashboard', function () {
  this.timeout(60_000);
  let demo: Demo;
  let browser: Browser;
  const pages: Page[] = [];

  const imagesBefore = new Map(README_SCREENSHOTS.map((name) => [name, picture(name)]));

  before(async function () {
    this.timeout(120_000);
    const launched = await launchChromium();
    if (typeof launched === 'string') {
      console.log(`      browser tests skipped: ${launched}`);
      this.skip();
    }
    browser = launched;
    demo = await startDemo({
      nodeRedPort: 0,
      simPort: 0,
      quiet: true,
      minDurationS: 0,
      userDir: mkdtempSync(path.join(tmpdir(), 'demo-browser-')),
    });
    // Keep the load-shedding flow quiet: with grid power low it has nothing to shed.
    demo.sim.setRegister('Grid', 1000);
  });

  after(async function () {
    await browser?.close();
    await demo?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const saved = await keepScreenshots(this.currentTest.fullTitle(), pages);
      if (saved.length > 0) console.log(`      screenshots: ${saved.join(', ')}`);
    }
    for (const page of pages.splice(0)) await page.close().catch(() => undefined);
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(url);
    return page;
  }

  async function meterId(): Promise<string> {
    const res = await request(`${demo.editorUrl}flows`, { headers: { accept: 'application/json' } });
    const flows = (await res.body.json()) as Array<{ id: string; type: string; name?: string }>;
    const meter = flows.find((n) => n.type === 'egauge-meter');
    assert.ok(meter, 'the demo has a meter node');
    return meter.id;
  }

  async function openMeterDialog(page: Page): Promise<void> {
    const id = await meterId();
    await page.waitForSelector('.red-ui-palette-node', { timeout: 30_000 });
    // The palette can be ready before the flows are: editing an id the editor does not know yet opens an empty, new node.
    await page.waitForFunction(
      (configId) =>
        (globalThis as unknown as { RED: { nodes: { node(id: string): unknown } } }).RED.nodes.node(configId) != null,
      id,
      { timeout: 30_000 },
    );
    // The same call the editor makes when the pencil next to a node's meter field is clicked.
    await page.evaluate((configId) => {
      const red = (
        globalThis as unknown as { RED: { editor: { editConfig(name: string, type: string, id: string): void } } }
      ).RED;
      red.editor.editConfig('', 'egauge-meter', configId);
    }, id);
    await page.waitForSelector('#egauge-meter-test-button', { state: 'visible' });
  }

  it('lists our nodes in the palette under eGauge', async function () {
    const page = await open(demo.editorUrl);
    await page.waitForSelector('.red-ui-palette-node[data-palette-type="prm3 mask"]', { timeout: 30_000 });
    const ours = await page.$$eval('#red-ui-palette-container-eGauge .red-ui-palette-node', (nodes) =>
      nodes.map((n) => n.getAttribute('data-palette-type')),
    );
    assert.deepEqual([...ours].sort(), ['egauge register', 'prm3 discover', 'prm3 mask', 'prm3 scpi']);
  });

  it('shows the simulated PRM3 when the meter dialog tests the connection', async function () {
    const page = await open(demo.editorUrl);
    await page.setViewportSize({ width: 1280, height: 940 }); // the whole dialog in the README's picture
    await openMeterDialog(page);
    await page.click('#egauge-meter-test-button');
    const result = page.locator('#egauge-meter-test-result');
    await result.waitFor({ state: 'visible' });
    await page.waitForFunction(
      () => /00000004/.test(document.querySelector('#egauge-meter-test-result')?.textContent ?? ''),
      undefined,
      { timeout: 15_000 },
    );
    const text = (await result.textContent()) ?? '';
    assert.match(text, /USB1/);
    assert.match(text, /owner/);
    assert.ok(!text.includes('default'), 'the password is not shown');
    await readmeScreenshot(page, 'editor-meter-dialog.png');
  });

  it('shows each node’s state on its status in the load-shedding flow', async function () {
    const page = await open(`${demo.editorUrl}#flow/${shedding.find((n) => n.type === 'tab')?.id ?? ''}`);
    await page.waitForSelector('.red-ui-palette-node', { timeout: 30_000 });
    // The canvas alone, as wide as the window: styled away rather than switched off in the
    // editor's menu, which would keep the choice in the user's settings for the tests that follow.
    await page.addStyleTag({
      content:
        '#red-ui-palette, #red-ui-sidebar, #red-ui-sidebar-separator { display: none !important; } #red-ui-workspace { left: 0 !important; right: 0 !important; }',
    });
    await checkStatuses(page);
  });

  const shedding = readExample(path.resolve(__dirname, '..', '..', 'examples'), 'load-shedding');

  /** Waits for each node of the load-shedding flow to show its state, then takes the README picture. */
  async function checkStatuses(page: Page): Promise<void> {
    const status = async (name: string): Promise<string> => {
      const id = shedding.find((n) => String(n['name']).startsWith(name))?.id ?? '';
      return (await page.locator(`[id="${id}"] .red-ui-flow-node-status-label`).textContent({ timeout: 20_000 })) ?? '';
    };
    const expected: Array<[string, RegExp]> = [
      ['grid power', /^Grid [\d.]+ k?W$/],
      ['shedding rules', /all loads on$/],
      ['water heater', /^connected$/],
      ['pool pump', /^connected$/],
    ];
    for (const [name, shows] of expected) {
      const end = Date.now() + 20_000;
      let text = await status(name);
      while (!shows.test(text) && Date.now() < end) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        text = await status(name);
      }
      assert.match(text, shows, `the status of ${name}`);
    }
    await page.setViewportSize({ width: 1000, height: 360 });
    await readmeScreenshot(page, 'editor-flow-status.png');
  }

  it('says in the meter dialog that plain HTTP is readable and that verification off is insecure', async function () {
    const page = await open(demo.editorUrl);
    await openMeterDialog(page);
    const note = page.locator('#egauge-meter-transport-note');
    // The demo's simulator is reached over plain http://.
    await note.waitFor({ state: 'visible' });
    assert.match((await note.textContent()) ?? '', /the login digest and the bearer token cross the network readable/);
    assert.match((await note.textContent()) ?? '', /try passwords against the digest offline/);
    await page.fill('#node-config-input-url', 'https://meter.example');
    await note.waitFor({ state: 'hidden' });
    await page.uncheck('#node-config-input-verify');
    await note.waitFor({ state: 'visible' });
    assert.match((await note.textContent()) ?? '', /^\s*Insecure:/);
    assert.match(
      (await page.locator('label[for="node-config-input-verify"]').last().textContent()) ?? '',
      /off is insecure/,
    );
    await page.click('#node-config-dialog-cancel');
  });

  it('deploys a change made in the editor', async function () {
    const page = await open(demo.editorUrl);
    await openMeterDialog(page);
    await page.fill('#node-config-input-name', 'Simulator, renamed in the browser');
    await page.click('#node-config-dialog-ok');
    await page.click('#red-ui-header-button-deploy');
    await page.waitForSelector('.red-ui-notification:has-text("Successfully deployed")', { timeout: 15_000 });
    const res = await request(`${demo.editorUrl}flows`, { headers: { accept: 'application/json' } });
    const flows = (await res.body.json()) as Array<{ type: string; name?: string }>;
    assert.equal(flows.find((n) => n.type === 'egauge-meter')?.name, 'Simulator, renamed in the browser');
  });

  it('shows "One load" in the mask dialog, ticked for the split-phase heater, with what it means', async function () {
    const res = await request(`${demo.editorUrl}flows`, { headers: { accept: 'application/json' } });
    const flows = (await res.body.json()) as Array<{ id: string; type: string; relays?: string }>;
    const heater = flows.find((n) => n.type === 'prm3 mask' && n.relays === '1,2');
    assert.ok(heater, 'the demo has the water heater on relays 1 and 2');
    const page = await open(demo.editorUrl);
    await page.waitForSelector('.red-ui-palette-node', { timeout: 30_000 });
    // The same call the editor makes on a double click on the node.
    await page.evaluate((id) => {
      const red = (
        globalThis as unknown as {
          RED: { nodes: { node(id: string): unknown }; editor: { edit(node: unknown): void } };
        }
      ).RED;
      red.editor.edit(red.nodes.node(id));
    }, heater.id);
    const box = page.locator('#node-input-oneLoad');
    await box.waitFor({ state: 'visible' });
    assert.equal(await box.isChecked(), true);
    const tip = page.locator('#prm3-mask-grouping-tip');
    assert.match((await tip.textContent()) ?? '', /one load .*refused/);
    await box.uncheck();
    assert.match((await tip.textContent()) ?? '', /independent loads/);
    await page.click('#node-dialog-cancel');
  });

  function relaySwitch(page: Page, relay: number): ReturnType<Page['locator']> {
    return page.locator('.nrdb-ui-switch', { hasText: `Relay ${relay}` }).locator('input[type=checkbox]');
  }

  it('switches relay 2 from the dashboard and then shows the confirmed state', async function () {
    const module = demo.sim.device('USB1');
    assert.equal(module.mask, 0b111, 'the demo starts with every relay closed');
    const page = await open(demo.dashboardUrl);
    const relay2 = relaySwitch(page, 2);
    await relay2.waitFor({ state: 'attached', timeout: 20_000 });
    // A freshly drawn switch is off until the dashboard sends its last state: wait for "closed".
    await eventuallyChecked(relay2, true);
    const click = (): Promise<void> =>
      page.locator('.nrdb-ui-switch', { hasText: 'Relay 2' }).locator('.v-switch .v-selection-control__input').click();
    await click();
    await eventually(() => module.mask === 0b101, 10_000, 'relay 2 open in the simulator, relays 1 and 3 left alone');
    await eventuallyChecked(relay2, false);
    await page.locator('.nrdb-ui-text', { hasText: 'done: open' }).first().waitFor({ timeout: 10_000 });
    await click();
    await eventually(() => module.mask === 0b111, 10_000, 'relay 2 closed again in the simulator');
    await eventuallyChecked(relay2, true);
    await page.locator('.nrdb-ui-text', { hasText: 'done: closed' }).first().waitFor({ timeout: 10_000 });
  });

  it('shows a command held by the minimum open/close time as not applied', async function () {
    const sim = demo.sim;
    const module = sim.device('USB1');
    assert.equal(module.mask, 0b111);
    const page = await open(demo.dashboardUrl);
    const relay1 = relaySwitch(page, 1);
    await relay1.waitFor({ state: 'attached', timeout: 20_000 });
    await eventuallyChecked(relay1, true);
    const click = (): Promise<void> =>
      page.locator('.nrdb-ui-switch', { hasText: 'Relay 1' }).locator('.v-switch .v-selection-control__input').click();
    await click(); // opens relay 1: from now on it must stay open 30 s
    await eventually(() => (module.mask & 1) === 0, 10_000, 'relay 1 opened');
    await eventuallyChecked(relay1, false);
    module.minOpenS = 30;
    try {
      await click(); // asks to close it again: held
      await page
        .locator('.nrdb-ui-text', { hasText: 'HELD by minimum open/close time: still open' })
        .first()
        .waitFor({ timeout: 10_000 });
      assert.equal(module.mask & 1, 0, 'the relay really is still open');
      assert.equal(await relay1.isChecked(), false, 'the switch shows the actual state, not the request');
      await page.setViewportSize({ width: 1100, height: 510 });
      await readmeScreenshot(page, 'dashboard.png');
    } finally {
      module.minOpenS = 0;
    }
  });

  it('leaves the README’s pictures alone unless UPDATE_SCREENSHOTS=1', function () {
    if (process.env['UPDATE_SCREENSHOTS'] === '1') this.skip();
    for (const name of README_SCREENSHOTS)
      assert.ok(picture(name)?.equals(imagesBefore.get(name) ?? Buffer.alloc(0)), `docs/images/${name} unchanged`);
  });

  function picture(name: string): Buffer | undefined {
    const file = path.join(IMAGES_DIR, name);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  async function eventuallyChecked(box: ReturnType<Page['locator']>, checked: boolean): Promise<void> {
    const end = Date.now() + 15_000;
    while ((await box.isChecked()) !== checked) {
      if (Date.now() > end) throw new Error(`the switch did not show ${checked ? 'closed' : 'open'}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
