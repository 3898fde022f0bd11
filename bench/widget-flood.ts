/**
 * The relay widget under a flood: a load shedder's state messages, 100 a second, into a
 * `ui-prm3-loads` widget open in Chromium. Measures the page's frame intervals and long tasks
 * (over 50 ms) while quiet and during the flood, prints them, and keeps them in
 * bench/results.json under `widgetFlood`.
 *
 *   npm run bench:widget [-- --seconds 20]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { request } from 'undici';
import { createShedder } from '../src/shed';
import { CHROMIUM } from '../test/helpers/browser';
import type { FrameFigures, WidgetFloodFigures } from './widget-figures';
import { exampleDashboard, startWidgetRed } from '../test/helpers/widget-red';

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS = path.join(ROOT, 'bench', 'results.json');
const RATE = 100;

const DASHBOARD = exampleDashboard();
/** The example's dashboard, with the widget fed over HTTP. */
const FLOW = [
  ...DASHBOARD,
  { id: 'f1tab', type: 'tab', label: 'flood' },
  { id: 'f1in', type: 'http in', z: 'f1tab', url: '/flood', method: 'post', wires: [['f1widget', 'f1ok']] },
  { id: 'f1ok', type: 'http response', z: 'f1tab', statusCode: '204', wires: [] },
  {
    id: 'f1widget',
    type: 'ui-prm3-loads',
    z: 'f1tab',
    group: DASHBOARD.find((n) => n['type'] === 'ui-group')?.['id'],
    order: 1,
    width: 0,
    height: 0,
    name: 'Loads',
    staleS: '30',
    chartMinutes: '10',
    wires: [[]],
  },
];

/** State messages a shedder gives while power swings over and under its limit, one per step. */
function stateMessages(count: number): string[] {
  const loads = ['pool pump', 'water heater', 'ev charger', 'heat pump'].map((name, i) => ({
    name,
    device: 'prm3-a',
    relays: String(i < 3 ? i + 1 : 3),
    priority: i + 1,
    expectedW: 1000 + 1000 * i,
  }));
  loads[3] = { ...loads[3], device: 'prm3-b', relays: '1' };
  const shedder = createShedder({ loads, limitW: 8000, bandW: 500, shedDelayS: 2, restoreDelayS: 5 });
  let state = shedder.initialState();
  const t0 = Date.now();
  state = shedder.step(state, { type: 'relayStates', masks: { 'prm3-a': 7, 'prm3-b': 1 } }, t0).state;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const now = t0 + i * 100;
    const watts = 7000 + 3000 * Math.sin(i / 50);
    const d = shedder.step(state, { type: 'reading', watts }, now);
    state = d.state;
    for (const c of d.commands)
      state = shedder.step(state, { type: 'commandResult', load: c.load, outcome: 'confirmed' }, now).state;
    // The HTTP body becomes msg.payload: the view itself, as the shedder's state message carries it.
    out.push(JSON.stringify(d.view));
  }
  return out;
}

async function measure(page: Page, seconds: number, during: () => Promise<void>): Promise<FrameFigures> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __long: number[]; __stop: boolean };
    w.__frames = [];
    w.__long = [];
    w.__stop = false;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long.push(e.duration);
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (t: number): void => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await Promise.all([during(), new Promise((resolve) => setTimeout(resolve, seconds * 1000))]);
  const { frames, long } = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __long: number[]; __stop: boolean };
    w.__stop = true;
    return { frames: w.__frames.slice(1), long: w.__long };
  });
  const sorted = [...frames].sort((a, b) => a - b);
  const at = (q: number): number => Math.round((sorted[Math.floor(q * (sorted.length - 1))] ?? 0) * 10) / 10;
  return {
    frames: frames.length,
    frameMsP50: at(0.5),
    frameMsP95: at(0.95),
    frameMsMax: at(1),
    longTasks: long.length,
    longTaskMs: Math.round(long.reduce((a, b) => a + b, 0)),
  };
}

async function main(): Promise<void> {
  const secondsArg = process.argv.indexOf('--seconds');
  const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 20;
  const red = await startWidgetRed();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  try {
    await red.deploy(FLOW);
    const messages = stateMessages(RATE * seconds);
    const post = async (body: string): Promise<void> => {
      const res = await request(`${red.url}flood`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.dump();
    };
    await red.post('flood', JSON.parse(messages[0] ?? '{}'));
    const page = await browser.newPage();
    await page.goto(`${red.url}dashboard/relays`);
    await page.locator('.prm3-loads [data-load="pool pump"]').waitFor({ timeout: 30_000 });

    const quiet = await measure(page, 5, () => Promise.resolve());
    let sent = 0;
    const flood = await measure(page, seconds, async () => {
      const start = Date.now();
      for (const body of messages) {
        const due = start + (sent * 1000) / RATE;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        void post(body);
        sent++;
      }
    });
    const figures: WidgetFloodFigures = {
      date: new Date().toISOString(),
      messagesPerSecond: RATE,
      seconds,
      messagesSent: sent,
      quiet,
      flood,
    };
    console.log('widget flood: state messages into ui-prm3-loads, page in Chromium');
    console.log(`  ${sent} messages at ${RATE}/s over ${seconds} s`);
    for (const [name, f] of [
      ['quiet', quiet],
      ['flood', flood],
    ] as const) {
      console.log(
        `  ${name}: ${f.frames} frames, frame ms p50 ${f.frameMsP50}, p95 ${f.frameMsP95}, max ${f.frameMsMax}; long tasks ${f.longTasks} (${f.longTaskMs} ms)`,
      );
    }
    const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
    results['widgetFlood'] = figures;
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    console.log('written to bench/results.json (widgetFlood)');
  } finally {
    await browser.close();
    await red.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
