/** Headless Debian Chromium for the browser tests, driven by playwright-core (no browser download). */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach Google's hosts.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const RESULTS_DIR = path.resolve(__dirname, '..', '..', '..', 'test-results');
export const IMAGES_DIR = path.resolve(__dirname, '..', '..', '..', 'docs', 'images');
/** The README's pictures, each taken by a browser test. */
export const README_SCREENSHOTS = [
  'editor-meter-dialog.png',
  'editor-flow-status.png',
  'dashboard.png',
  'widget-phone-dark.png',
  'widget-shedder.png',
] as const;
export type ReadmeScreenshot = (typeof README_SCREENSHOTS)[number];

/**
 * Launches Chromium, or explains why it cannot: in CI that is a failure; elsewhere the
 * caller skips its tests with the reason printed.
 */
export async function launchChromium(): Promise<Browser | string> {
  const reason = existsSync(CHROMIUM)
    ? undefined
    : `Chromium not found at ${CHROMIUM}: run .ci/install-chromium.sh (or set CHROMIUM_PATH)`;
  if (reason === undefined) {
    try {
      return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
    } catch (error) {
      const why = `Chromium at ${CHROMIUM} did not start: ${error instanceof Error ? error.message : String(error)}`;
      if (process.env['CI'] !== undefined) throw new Error(why, { cause: error });
      return why;
    }
  }
  if (process.env['CI'] !== undefined) throw new Error(reason);
  return reason;
}

/** Keeps a screenshot of every page of a failed test in test-results/. */
export async function keepScreenshots(title: string, pages: readonly Page[]): Promise<string[]> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const saved: string[] = [];
  const base = title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
  for (const [i, page] of pages.entries()) {
    if (page.isClosed()) continue;
    const file = path.join(RESULTS_DIR, `${base}-${i}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    saved.push(file);
  }
  return saved;
}

/**
 * A README picture: taken on every run into test-results/readme/, and copied over
 * docs/images/ only when UPDATE_SCREENSHOTS=1, so a normal run leaves tracked files alone.
 */
export async function readmeScreenshot(target: Page | Locator, name: ReadmeScreenshot): Promise<string> {
  const taken = path.join(RESULTS_DIR, 'readme', name);
  mkdirSync(path.dirname(taken), { recursive: true });
  await target.screenshot({ path: taken, animations: 'disabled', caret: 'hide' });
  if (process.env['UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(IMAGES_DIR, { recursive: true });
    copyFileSync(taken, path.join(IMAGES_DIR, name));
  }
  return taken;
}
